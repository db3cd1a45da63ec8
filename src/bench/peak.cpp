// The multiply-add peak; see peak.h.
#include "bench/peak.h"

#include "bench/timing.h"
#include "kernels/vec.h"

#include <vector>

namespace mnisttrain::bench {

namespace {

using kernels::Vec;

// Independent chains of x = x * a + b: more chains than an FMA unit's latency times the units
// (4 cycles x 2 on recent x86 cores), so the loop runs at their throughput, and few enough to
// stay in registers (AVX-512 has 32, AVX 16; without AVX a Vec is two of SSE's 16). With a < 1
// every chain converges: no overflow.
#if defined(__AVX512F__)
constexpr int kChains = 24;
#elif defined(__AVX__)
constexpr int kChains = 12;
#else
constexpr int kChains = 6;
#endif
constexpr int kRounds = 4096;

inline Vec multiply_add(Vec x, Vec a, Vec b) {
#if defined(__FMA__) || defined(__AVX512F__)
  return kernels::fma_lanes(x, a, b);
#else
  return x * a + b;  // no FMA instruction: std::fma would be a library call per lane
#endif
}

// kRounds rounds of every chain, from `start`; the chains' end values are written back.
void run_chains(Vec* start) {
  const Vec a = Vec{} + 0.999f, b = Vec{} + 0.001f;
  Vec chains[kChains];
  for (int k = 0; k < kChains; ++k) chains[k] = start[k];
  for (int round = 0; round < kRounds; ++round) {
    // Unrolled, the chains live in registers from round to round; rolled, GCC turns the loops
    // around and runs every chain through memory.
#pragma GCC unroll 32
    for (int k = 0; k < kChains; ++k) chains[k] = multiply_add(chains[k], a, b);
  }
  for (int k = 0; k < kChains; ++k) start[k] = chains[k];  // kept: the loop is not dead code
}

}  // namespace

double multiply_add_peak_gflops(kernels::WorkerPool& workers, double budget_seconds) {
  const int threads = workers.size();
  std::vector<Vec> chains(static_cast<std::size_t>(threads) * kChains);
  for (std::size_t i = 0; i < chains.size(); ++i) chains[i] = Vec{} + static_cast<float>(i % kChains);
  auto task = [&](int ith, int) { run_chains(chains.data() + static_cast<std::size_t>(ith) * kChains); };
  const Timing timing = per_call_seconds([&] { workers.run(task); }, budget_seconds);
  const double flops = 2.0 * static_cast<double>(kernels::kLanes) * kChains * kRounds * threads;
  return flops / timing.seconds_per_call * 1e-9;
}

}  // namespace mnisttrain::bench
