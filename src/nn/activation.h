// Element-wise activations and softmax, applied in place on a (B, C) buffer. Backward needs
// only the activation's OUTPUT y (relu' = y > 0, sigmoid' = y(1-y), tanh' = 1-y^2, softmax's
// Jacobian is built from y), so layers keep one buffer per output, not the pre-activation too.
#pragma once

#include "nn/spec.h"

#include <cstddef>

namespace mnisttrain::nn {


// y = act(y), rows of `cols` values; softmax is per row, stabilised by subtracting the row max.
// Defined for float (training) and double (the gradient check's reference).
template <typename T>
void activation_forward(Activation act, T* y, std::size_t rows, std::size_t cols);

// dz = dy * act'(y), in place on dy. For softmax: dz = y * (dy - sum(dy * y)) per row.
void activation_backward(Activation act, float* dy, const float* y, std::size_t rows,
                         std::size_t cols);

// The activation as a layer of its own: out = act(inp), out and inp (B, C).
void activation_layer_forward(float* out, const float* inp, Activation act, std::size_t B,
                              std::size_t C);

}  // namespace mnisttrain::nn
