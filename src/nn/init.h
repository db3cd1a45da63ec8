// Keras's kernel initializers, drawn from the run's seed: same seed, same weights.
#pragma once

#include "nn/spec.h"
#include "random.h"

#include <cstddef>

namespace mnisttrain::nn {

// Fills a (fan_in, fan_out) kernel. glorot_uniform: U(-l, l), l = sqrt(6 / (fan_in + fan_out));
// he_uniform: l = sqrt(6 / fan_in); the *_normal variants draw a normal truncated at two
// standard deviations with stddev sqrt(2 / (fan_in + fan_out)) or sqrt(2 / fan_in), divided by
// 0.87962566 so the truncated distribution keeps that variance, as Keras does.
void init_kernel(Initializer kind, float* weight, std::size_t fan_in, std::size_t fan_out,
                 Rng& rng);

}  // namespace mnisttrain::nn
