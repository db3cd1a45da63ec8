// Inverted dropout as plain functions: in training each unit is kept with probability
// 1 - rate and scaled by 1/(1-rate) now, so inference is the identity and needs no rescaling.
#pragma once

#include "random.h"

#include <cstddef>

namespace mnisttrain::nn {

// out, mask and inp are (N) = (B * features). mask receives 1/(1-rate) where a unit is kept
// and 0 where dropped; outside training (or at rate 0) it is all ones and out = inp.
void dropout_forward(float* out, float* mask, const float* inp, double rate, bool training,
                     Rng& rng, std::size_t N);

// out = inp * mask, element-wise over (N): dropout's backward (dinp = dout * mask) and, in
// double, the gradient check's replay of a recorded mask.
template <typename T>
void apply_mask(T* out, const T* inp, const float* mask, std::size_t N) {
  for (std::size_t k = 0; k < N; ++k) out[k] = inp[k] * mask[k];
}

}  // namespace mnisttrain::nn
