// Kernel initializers; see init.h.
#include "nn/init.h"

#include <cmath>

namespace mnisttrain::nn {


static void fill_uniform(float* w, std::size_t n, double limit, Rng& rng) {
  for (std::size_t i = 0; i < n; ++i) {
    w[i] = static_cast<float>((2.0 * rng.uniform() - 1.0) * limit);
  }
}

static void fill_truncated_normal(float* w, std::size_t n, double stddev, Rng& rng) {
  for (std::size_t i = 0; i < n; ++i) {
    double z;
    do z = rng.normal();
    while (std::fabs(z) > 2.0);
    w[i] = static_cast<float>(z * stddev);
  }
}

void init_kernel(Initializer kind, float* weight, std::size_t fan_in, std::size_t fan_out,
                 Rng& rng) {
  const std::size_t n = fan_in * fan_out;
  const double fans = static_cast<double>(fan_in + fan_out);
  const double truncation = 0.87962566103423978;  // stddev of N(0,1) truncated to [-2, 2]
  switch (kind) {
    case Initializer::GlorotUniform: fill_uniform(weight, n, std::sqrt(6.0 / fans), rng); return;
    case Initializer::HeUniform: fill_uniform(weight, n, std::sqrt(6.0 / fan_in), rng); return;
    case Initializer::GlorotNormal:
      fill_truncated_normal(weight, n, std::sqrt(2.0 / fans) / truncation, rng);
      return;
    case Initializer::HeNormal:
      fill_truncated_normal(weight, n, std::sqrt(2.0 / fan_in) / truncation, rng);
      return;
    case Initializer::Zeros:
      for (std::size_t i = 0; i < n; ++i) weight[i] = 0.0f;
      return;
  }
}

}  // namespace mnisttrain::nn
