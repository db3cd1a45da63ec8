// The multiply-add peak; see peak.h.
#include "bench/peak.h"

#include "bench/timing.h"
#include "kernels/vec.h"

namespace mnisttrain::bench {

namespace {

using kernels::Vec;

// Independent chains of acc = acc * a + b: more chains than an FMA unit's latency times the
// units (4 cycles x 2 on recent x86 cores), so the loop runs at their throughput, and few enough
// to stay in registers (AVX2 has 16, AVX-512 32). With a < 1 every chain converges: no overflow.
constexpr int kChains = kernels::kLanes == 16 ? 24 : 12;
constexpr int kRounds = 4096;

Vec splat(float value) {
  Vec v;
  for (std::size_t i = 0; i < kernels::kLanes; ++i) v[i] = value;
  return v;
}

}  // namespace

double multiply_add_peak_gflops(double budget_seconds) {
  Vec acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = splat(static_cast<float>(k));
  const Vec a = splat(0.999f), b = splat(0.001f);
  const Timing timing = per_call_seconds(
      [&] {
        Vec chains[kChains];
        for (int k = 0; k < kChains; ++k) chains[k] = acc[k];
        for (int round = 0; round < kRounds; ++round) {
          // Unrolled, the chains live in registers from round to round; rolled, GCC turns the
          // loops around and runs every chain through memory.
#pragma GCC unroll 32
          for (int k = 0; k < kChains; ++k) chains[k] = kernels::fma_lanes(chains[k], a, b);
        }
        for (int k = 0; k < kChains; ++k) acc[k] = chains[k];  // kept: the loop is not dead code
      },
      budget_seconds);
  const double flops = 2.0 * static_cast<double>(kernels::kLanes) * kChains * kRounds;
  return flops / timing.seconds_per_call * 1e-9;
}

}  // namespace mnisttrain::bench
