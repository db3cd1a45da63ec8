// The products of a dense layer with few units (MNIST's 10-class output layer): a whole row of
// such a layer's outputs fits in one or two vectors, so each product keeps its sums in
// registers down the long dimension and never goes through a general matrix tile. Each output
// element is summed in a fixed order (the bias, then increasing k; increasing sample; or
// increasing unit), whatever range a call computes: threads can split them without changing a
// bit.
#pragma once

#include "kernels/partition.h"
#include "kernels/vec.h"

#include <cstddef>

namespace mnisttrain::kernels {

// Layers up to this many units take these kernels.
constexpr std::size_t kNarrowMaxUnits = 2 * kLanes;

// out[b, :] = bias + sum over k of x[b, k] * w[k, :], for the samples in `rows`.
// x (B, K), w (K, N), bias (N) or null, out (B, N); N <= kNarrowMaxUnits.
void narrow_forward(float* out, const float* x, const float* w, const float* bias, std::size_t K,
                    std::size_t N, Range rows);

// dw[k, :] = sum over samples b of x[b, k] * dout[b, :], for the k in `inputs`.
// x (B, K), dout (B, N), dw (K, N); N <= kNarrowMaxUnits.
void narrow_weight_gradient(float* dw, const float* x, const float* dout, std::size_t B,
                            std::size_t K, std::size_t N, Range inputs);

// dx[b, k] = sum over units j of dout[b, j] * w[k, j], for the samples in `rows`.
// dout (B, N), w (K, N), dx (B, K); N <= kNarrowMaxUnits.
void narrow_input_gradient(float* dx, const float* dout, const float* w, std::size_t K,
                           std::size_t N, Range rows);

}  // namespace mnisttrain::kernels
