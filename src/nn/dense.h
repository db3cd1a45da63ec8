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

}  // namespace mnisttrain::nn
