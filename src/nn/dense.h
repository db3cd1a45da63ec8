// The dense (fully connected) layer as plain functions over raw buffers, in the notes'
// notation: Y = act(X . W + b), with W stored (in, out) row-major as Keras stores its kernel.
// Each function computes the share ith of nth threads; (0, 1) is the whole layer. Shares are
// blocks of units (columns) when the layer is wide enough, else blocks of samples (rows) or of
// inputs, so that every value is computed by exactly one thread in an order that does not depend
// on nth.
#pragma once

#include "kernels/sparse_dense.h"
#include "nn/spec.h"

#include <cstddef>

namespace mnisttrain::nn {

// out is (B, OC), inp is (B, C), weight is (C, OC), bias is (OC) or null. The activation is
// applied in place (softmax per row).
void dense_forward(float* out, const float* inp, const float* weight, const float* bias,
                   Activation act, std::size_t B, std::size_t C, std::size_t OC, int ith, int nth);

// The same over a sparse input (the first layer on MNIST's mostly-zero pixels), in two runs
// with a barrier between: the forward parts (kernels/sparse_dense.h) as the threads take them
// (sparse.items, reset before the run), then, once all are done, the parts added and the
// activation applied, by rows.
void sparse_dense_forward_parts(const kernels::SparseBatch& sparse, const float* weight,
                                const float* bias, std::size_t OC, int ith);
void sparse_dense_forward_finish(float* out, const kernels::SparseBatch& sparse, Activation act,
                                 std::size_t B, std::size_t OC, int ith, int nth);

// Given dout = dL/dZ (B, OC): dweight = X^T . dZ + 2 * l2 * W (C, OC), dbias = sum(dZ, axis=0)
// (OC), dinp = dZ . W^T (B, C). Gradients are written, not accumulated; dinp may be null (the
// first layer's input gradient is never needed) and so may dbias (no bias). With a sparse input,
// dout must already be in the batch's panels (kernels::pack_gradient_panels), dbias (when given)
// must be dweight's row C and the batch must have its ones column, which makes it (the same sum
// in the same order), and without L2 `sink` may take the rows of dweight, bias included, in
// their place (kernels/sparse_dense.h).
void dense_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                    const kernels::SparseBatch* sparse, const kernels::GradientSink* sink,
                    const float* weight, float l2, std::size_t B, std::size_t C, std::size_t OC,
                    int ith, int nth);

// The naive triple loop in double with dense_forward's contract: the gradient check's reference.
void dense_forward_reference(double* out, const double* inp, const double* weight,
                             const double* bias, std::size_t B, std::size_t C, std::size_t OC);

// Keras's kernel regularizer: the loss gains l2 * sum(W^2) over weight (C, OC), and dense_backward
// adds its gradient 2 * l2 * W to dweight.
template <typename T>
double l2_penalty(const T* weight, double l2, std::size_t C, std::size_t OC) {
  double sum = 0.0;
  for (std::size_t k = 0; k < C * OC; ++k) sum += static_cast<double>(weight[k]) * weight[k];
  return l2 * sum;
}

}  // namespace mnisttrain::nn
