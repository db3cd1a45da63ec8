// The dense (fully connected) layer as two plain functions over raw buffers, in the notes'
// notation: Y = X . W + b, with W stored (in, out) row-major as Keras stores its kernel.
#pragma once

#include <cstddef>

namespace mnisttrain::nn {

// out is (B, OC), inp is (B, C), weight is (C, OC), bias is (OC) or null.
void dense_forward(float* out, const float* inp, const float* weight, const float* bias,
                   std::size_t B, std::size_t C, std::size_t OC);

// Given dout = dL/dZ (B, OC): dweight = X^T . dZ (C, OC), dbias = sum(dZ, axis=0) (OC),
// dinp = dZ . W^T (B, C). Gradients are written, not accumulated; dinp may be null (the first
// layer's input gradient is never needed) and so may dbias (no bias).
void dense_backward(float* dinp, float* dweight, float* dbias, const float* dout,
                    const float* inp, const float* weight, std::size_t B, std::size_t C,
                    std::size_t OC);

// The naive triple loop in double with dense_forward's contract: the gradient check's reference.
void dense_forward_reference(double* out, const double* inp, const double* weight,
                             const double* bias, std::size_t B, std::size_t C, std::size_t OC);

// Keras's kernel regularizer: the loss gains l2 * sum(W^2) over weight (C, OC)...
template <typename T>
double l2_penalty(const T* weight, double l2, std::size_t C, std::size_t OC) {
  double sum = 0.0;
  for (std::size_t k = 0; k < C * OC; ++k) sum += static_cast<double>(weight[k]) * weight[k];
  return l2 * sum;
}

// ...and dweight (C, OC) gains its gradient 2 * l2 * W, added to what dense_backward wrote.
void l2_backward(float* dweight, const float* weight, double l2, std::size_t C, std::size_t OC);

}  // namespace mnisttrain::nn
