// Dense forward/backward as thread shares; see dense.h. The products go through
// kernels/matmul.h (OpenBLAS or the tiled kernels) or, for a sparse input, kernels/sparse_dense.h.
#include "nn/dense.h"

#include "kernels/matmul.h"
#include "kernels/narrow_dense.h"
#include "kernels/partition.h"
#include "nn/activation.h"

namespace mnisttrain::nn {

using kernels::Range;
using kernels::split_range;

namespace {

using kernels::MatmulBackend;

// Threads a dimension is shared among when choosing how to split a product: OpenBLAS's blocks
// are fixed (kernels/matmul.h), so for it the choice must not depend on the thread count.
std::size_t shares_for(MatmulBackend backend, int nth) {
  return backend == MatmulBackend::Blas ? 1 : static_cast<std::size_t>(nth);
}

// Blocks of units when every share gets at least a cache line of them; softmax needs whole rows.
bool split_by_units(std::size_t OC, Activation act, MatmulBackend backend, int nth) {
  return act != Activation::Softmax && OC >= kernels::kLineFloats * shares_for(backend, nth);
}

// out[rows, units] = bias[units] (or 0 without a bias), the start of X . W + b.
void seed_bias(float* out, const float* bias, std::size_t OC, Range rows, Range units) {
  for (std::size_t r = rows.begin; r < rows.end; ++r) {
    for (std::size_t j = units.begin; j < units.end; ++j) out[r * OC + j] = bias ? bias[j] : 0.0f;
  }
}

// out[rows, units] (+)= X[rows] . W[:, units]
void product_block(MatmulBackend backend, float* out, const float* inp, const float* weight,
                   const float* bias, std::size_t C, std::size_t OC, Range rows, Range units) {
  if (bias) seed_bias(out, bias, OC, rows, units);
  kernels::matmul(backend, false, false, out + rows.begin * OC + units.begin, OC,
                  inp + rows.begin * C, C, weight + units.begin, OC, rows.size(), units.size(), C,
                  bias != nullptr);
}

// Few units (the output layer): the narrow kernels, split by samples or by inputs.
bool narrow(std::size_t OC) { return OC <= kernels::kNarrowMaxUnits; }

}  // namespace

void dense_forward(float* out, const float* inp, const float* weight, const float* bias,
                   Activation act, std::size_t B, std::size_t C, std::size_t OC, int ith, int nth) {
  if (narrow(OC)) {
    const Range rows = split_range(B, ith, nth);
    kernels::narrow_forward(out, inp, weight, bias, C, OC, rows);
    activation_forward(act, out + rows.begin * OC, rows.size(), OC);
    return;
  }
  const MatmulBackend backend = kernels::matmul_backend(OC, C);
  if (split_by_units(OC, act, backend, nth)) {
    kernels::for_each_block(backend, OC, ith, nth, kernels::kLineFloats, [&](Range units) {
      product_block(backend, out, inp, weight, bias, C, OC, {0, B}, units);
      for (std::size_t r = 0; r < B; ++r) activation_forward(act, out + r * OC + units.begin, 1, units.size());
    });
    return;
  }
  kernels::for_each_block(backend, B, ith, nth, 1, [&](Range rows) {
    product_block(backend, out, inp, weight, bias, C, OC, rows, {0, OC});
    activation_forward(act, out + rows.begin * OC, rows.size(), OC);
  });
}

void sparse_dense_forward_parts(const kernels::SparseBatch& sparse, const float* weight, const float* bias,
                                std::size_t OC, int ith) {
  // Work items: each forward part of each panel's worth of units for each block of samples,
  // part 0's first, taken from both ends (kernels/shared_items.h): two threads each start on
  // a part of their own, and so on the kernel rows each updates.
  const std::size_t unit_blocks = (OC + kernels::kPanelUnits - 1) / kernels::kPanelUnits;
  const std::size_t sample_blocks = sparse.sample_blocks();
  const std::size_t per_part = unit_blocks * sample_blocks;
  std::size_t item = 0;
  while (sparse.items.take(ith, kernels::kForwardParts * per_part, item)) {
    const auto part = static_cast<int>(item / per_part);
    const std::size_t block = item % per_part / sample_blocks;
    const Range units{block * kernels::kPanelUnits, std::min(OC, (block + 1) * kernels::kPanelUnits)};
    kernels::sparse_dense_forward_part(sparse, weight, bias, OC, part, units, item % sample_blocks);
  }
}

void sparse_dense_forward_finish(float* out, const kernels::SparseBatch& sparse, Activation act,
                                 std::size_t B, std::size_t OC, int ith, int nth) {
  const Range rows = split_range(B, ith, nth);
  kernels::add_forward_parts(out, sparse, OC, rows);
  activation_forward(act, out + rows.begin * OC, rows.size(), OC);
}

namespace {

// dweight[inputs, units] += 2 * l2 * W[inputs, units], the kernel rows only: a sparse input's ones
// column gives row C, the bias, which L2 leaves.
void add_l2_gradient(float* dweight, const float* weight, float l2, std::size_t C, std::size_t OC,
                     Range inputs, Range units) {
  if (l2 <= 0.0f) return;
  const float scale = 2.0f * l2;
  for (std::size_t p = inputs.begin; p < std::min(inputs.end, C); ++p) {
    for (std::size_t j = units.begin; j < units.end; ++j) dweight[p * OC + j] += scale * weight[p * OC + j];
  }
}

// dweight[inputs, units] = X[:, inputs]^T . dZ[:, units] + 2 * l2 * W[inputs, units], dense input.
// `backend` is the one the caller cut the blocks for: OpenBLAS's fixed blocks keep the bits.
void weight_gradient_block(MatmulBackend backend, float* dweight, const float* dout, const float* inp,
                           const float* weight, float l2, std::size_t B, std::size_t C,
                           std::size_t OC, Range inputs, Range units) {
  if (narrow(OC)) {
    kernels::narrow_weight_gradient(dweight, inp, dout, B, C, OC, inputs);
  } else {
    kernels::matmul(backend, true, false, dweight + inputs.begin * OC + units.begin, OC,
                    inp + inputs.begin, C, dout + units.begin, OC, inputs.size(), units.size(), B, false);
  }
  add_l2_gradient(dweight, weight, l2, C, OC, inputs, units);
}

// dbias[units] = sum over samples of dZ[:, units], samples in order.
void bias_gradient_block(float* dbias, const float* dout, std::size_t B, std::size_t OC, Range units) {
  for (std::size_t j = units.begin; j < units.end; ++j) dbias[j] = 0.0f;
  for (std::size_t r = 0; r < B; ++r) {
    for (std::size_t j = units.begin; j < units.end; ++j) dbias[j] += dout[r * OC + j];
  }
}

// dW and db: this thread's units, or (narrow layers) its block of inputs and thread 0 the bias.
// A sparse input makes db as the row of its ones column (nn/network.cpp gives the batch one when
// the layer has a bias, and lays the bias out right after the kernel rows, where dweight's row C
// lands).
void weight_gradients(float* dweight, float* dbias, const float* dout, const float* inp,
                      const kernels::SparseBatch* sparse, const kernels::GradientSink* sink,
                      const float* weight, float l2, std::size_t B, std::size_t C, std::size_t OC,
                      int ith, int nth) {
  if (sparse) {
    // By pixels, kGradientRows at a time within each of the forward's parts (the second with the
    // ones column's row), part 0's first, taken from both ends (kernels/shared_items.h): each
    // thread writes its own rows of dW (see sparse_dense.h), and two threads each start on the
    // rows they read in the forward.
    const Range first = kernels::forward_part(*sparse, 0);
    const Range second{kernels::forward_part(*sparse, 1).begin, sparse->gradient_rows()};
    const auto stretches = [](Range part) { return (part.size() + kernels::kGradientRows - 1) / kernels::kGradientRows; };
    const std::size_t in_first = stretches(first);
    std::size_t item = 0;
    while (sparse->items.take(ith, in_first + stretches(second), item)) {
      const Range part = item < in_first ? first : second;
      const std::size_t begin = part.begin + (item < in_first ? item : item - in_first) * kernels::kGradientRows;
      const Range pixels{begin, std::min(part.end, begin + kernels::kGradientRows)};
      kernels::sparse_dense_backward_weight(dweight, *sparse, OC, pixels, sink);
      add_l2_gradient(dweight, weight, l2, C, OC, pixels, {0, OC});
    }
    return;
  }
  const MatmulBackend backend = kernels::matmul_backend(OC, B);
  // The narrow kernels always go by blocks of inputs, below (OpenBLAS never: it gets no layer
  // narrower than 32 units, kernels/matmul.cpp).
  if (!narrow(OC) && split_by_units(OC, Activation::Linear, backend, nth)) {
    kernels::for_each_block(backend, OC, ith, nth, kernels::kLineFloats, [&](Range units) {
      weight_gradient_block(backend, dweight, dout, inp, weight, l2, B, C, OC, {0, C}, units);
      if (dbias) bias_gradient_block(dbias, dout, B, OC, units);
    });
    return;
  }
  const Range inputs = split_range(C, ith, nth);
  weight_gradient_block(backend, dweight, dout, inp, weight, l2, B, C, OC, inputs, {0, OC});
  if (dbias && ith == 0) bias_gradient_block(dbias, dout, B, OC, {0, OC});
}

// dX (B, C) = dZ (B, OC) . W^T: this thread's block of inputs, or of samples when C is narrow.
void input_gradient(float* dinp, const float* dout, const float* weight, std::size_t B, std::size_t C,
                    std::size_t OC, int ith, int nth) {
  if (narrow(OC)) {
    kernels::narrow_input_gradient(dinp, dout, weight, C, OC, split_range(B, ith, nth));
    return;
  }
  const MatmulBackend backend = kernels::matmul_backend(C, OC);
  if (C >= kernels::kLineFloats * shares_for(backend, nth)) {
    kernels::for_each_block(backend, C, ith, nth, kernels::kLineFloats, [&](Range inputs) {
      kernels::matmul(backend, false, true, dinp + inputs.begin, C, dout, OC, weight + inputs.begin * OC,
                      OC, B, inputs.size(), OC, false);
    });
    return;
  }
  kernels::for_each_block(backend, B, ith, nth, 1, [&](Range rows) {
    kernels::matmul(backend, false, true, dinp + rows.begin * C, C, dout + rows.begin * OC, OC, weight,
                    OC, rows.size(), C, OC, false);
  });
}

}  // namespace

void dense_backward(float* dinp, float* dweight, float* dbias, const float* dout, const float* inp,
                    const kernels::SparseBatch* sparse, const kernels::GradientSink* sink,
                    const float* weight, float l2, std::size_t B, std::size_t C, std::size_t OC,
                    int ith, int nth) {
  weight_gradients(dweight, dbias, dout, inp, sparse, sink, weight, l2, B, C, OC, ith, nth);
  if (dinp) input_gradient(dinp, dout, weight, B, C, OC, ith, nth);
}

void dense_forward_reference(double* out, const double* inp, const double* weight,
                             const double* bias, std::size_t B, std::size_t C, std::size_t OC) {
  for (std::size_t r = 0; r < B; ++r) {
    for (std::size_t o = 0; o < OC; ++o) {
      double z = bias ? bias[o] : 0.0;
      for (std::size_t k = 0; k < C; ++k) z += inp[r * C + k] * weight[k * OC + o];
      out[r * OC + o] = z;
    }
  }
}


}  // namespace mnisttrain::nn
