// Dispatch from a layer's kind to its plain functions; see layer.h.
#include "nn/layer.h"

#include "nn/activation.h"
#include "nn/dense.h"
#include "nn/dropout.h"
#include "nn/flatten.h"

#include "kernels/partition.h"

#include <algorithm>

namespace mnisttrain::nn {

using kernels::Range;
using kernels::split_range;

static const float* bias_of(const float* params, const Layer& layer) {
  return layer.spec.use_bias ? params + layer.bias_offset : nullptr;
}

void layer_forward(float* out, float* mask, const float* inp, const kernels::SparseBatch* sparse,
                   const float* params, const Layer& layer, std::size_t B, bool training,
                   Rng& dropout_rng, int ith, int nth) {
  const LayerSpec& spec = layer.spec;
  if (spec.type == LayerType::Dense && sparse) {
    sparse_dense_forward_parts(*sparse, params + layer.weight_offset, bias_of(params, layer),
                               layer.outputs, ith);
    return;
  }
  if (spec.type == LayerType::Dense) {
    dense_forward(out, inp, params + layer.weight_offset, bias_of(params, layer), spec.activation,
                  B, layer.inputs, layer.outputs, ith, nth);
    return;
  }
  const bool drawing_masks = spec.type == LayerType::Dropout && training && spec.rate > 0.0;
  if (drawing_masks) {
    if (ith == 0) dropout_forward(out, mask, inp, spec.rate, true, dropout_rng, B * layer.outputs);
    return;
  }
  // The other kinds work sample by sample: a block of rows each.
  const Range rows = split_range(B, ith, nth);
  const std::size_t first = rows.begin * layer.outputs;
  switch (spec.type) {
    case LayerType::Activation:
      activation_layer_forward(out + first, inp + first, spec.activation, rows.size(), layer.outputs);
      return;
    case LayerType::Dropout:  // outside training: the identity, mask all ones
      dropout_forward(out + first, mask + first, inp + first, spec.rate, false, dropout_rng,
                      rows.size() * layer.outputs);
      return;
    case LayerType::Flatten: flatten_forward(out + first, inp + first, rows.size(), layer.outputs); return;
    case LayerType::Dense: return;
  }
}

bool has_activation_gradient(const Layer& layer, bool skip_activation) {
  const bool has_activation = layer.spec.type == LayerType::Dense || layer.spec.type == LayerType::Activation;
  return has_activation && !skip_activation && layer.spec.activation != Activation::Linear;
}

void layer_forward_finish(float* out, const kernels::SparseBatch& sparse, const Layer& layer,
                          std::size_t B, int ith, int nth) {
  sparse_dense_forward_finish(out, sparse, layer.spec.activation, B, layer.outputs, ith, nth);
}

void layer_backward_activation(float* dout, const float* out, const Layer& layer, std::size_t B,
                               int ith, int nth) {
  const Range rows = split_range(B, ith, nth);
  const std::size_t first = rows.begin * layer.outputs;
  activation_backward(layer.spec.activation, dout + first, out + first, rows.size(), layer.outputs);
}

void layer_backward(float* dinp, float* dparams, const float* dout, const float* inp,
                    const kernels::SparseBatch* sparse, const kernels::GradientSink* sink,
                    const float* mask, const float* params, const Layer& layer, std::size_t B,
                    int ith, int nth) {
  const LayerSpec& spec = layer.spec;
  if (spec.type == LayerType::Dense) {
    float* dbias = spec.use_bias ? dparams + layer.bias_offset : nullptr;
    dense_backward(dinp, dparams + layer.weight_offset, dbias, dout, inp, sparse, sink,
                   params + layer.weight_offset, static_cast<float>(spec.l2), B, layer.inputs,
                   layer.outputs, ith, nth);
    return;
  }
  if (!dinp) return;  // nothing before this layer needs its gradient
  const Range rows = split_range(B, ith, nth);
  const std::size_t first = rows.begin * layer.outputs, n = rows.size() * layer.outputs;
  if (spec.type == LayerType::Dropout) {
    apply_mask(dinp + first, dout + first, mask + first, n);
  } else {  // activation (dZ already in dout) and flatten pass the gradient through
    flatten_backward(dinp + first, dout + first, rows.size(), layer.outputs);
  }
}

double layer_forward_reference(double* out, const double* inp, const double* params,
                               const float* mask, const Layer& layer, std::size_t B) {
  const LayerSpec& spec = layer.spec;
  const std::size_t n = B * layer.outputs;
  switch (spec.type) {
    case LayerType::Dense: {
      const double* weight = params + layer.weight_offset;
      const double* bias = spec.use_bias ? params + layer.bias_offset : nullptr;
      dense_forward_reference(out, inp, weight, bias, B, layer.inputs, layer.outputs);
      activation_forward(spec.activation, out, B, layer.outputs);
      return l2_penalty(weight, spec.l2, layer.inputs, layer.outputs);
    }
    case LayerType::Activation:
      std::copy(inp, inp + n, out);
      activation_forward(spec.activation, out, B, layer.outputs);
      return 0.0;
    case LayerType::Dropout: apply_mask(out, inp, mask, n); return 0.0;
    case LayerType::Flatten: std::copy(inp, inp + n, out); return 0.0;
  }
  return 0.0;
}

}  // namespace mnisttrain::nn
