// Dispatch from a layer's kind to its plain functions; see layer.h.
#include "nn/layer.h"

#include "nn/activation.h"
#include "nn/dense.h"
#include "nn/dropout.h"
#include "nn/flatten.h"

#include <algorithm>

namespace mnisttrain::nn {

static const float* bias_of(const float* params, const Layer& layer) {
  return layer.spec.use_bias ? params + layer.bias_offset : nullptr;
}

void layer_forward(float* out, float* mask, const float* inp, const float* params,
                   const Layer& layer, std::size_t B, bool training, Rng& dropout_rng) {
  const LayerSpec& spec = layer.spec;
  switch (spec.type) {
    case LayerType::Dense:
      dense_forward(out, inp, params + layer.weight_offset, bias_of(params, layer), B, layer.inputs,
                    layer.outputs);
      activation_forward(spec.activation, out, B, layer.outputs);
      return;
    case LayerType::Activation:
      activation_layer_forward(out, inp, spec.activation, B, layer.outputs);
      return;
    case LayerType::Dropout:
      dropout_forward(out, mask, inp, spec.rate, training, dropout_rng, B * layer.outputs);
      return;
    case LayerType::Flatten: flatten_forward(out, inp, B, layer.outputs); return;
  }
}

void layer_backward(float* dinp, float* dparams, float* dout, const float* out, const float* inp,
                    const float* mask, const float* params, const Layer& layer, std::size_t B,
                    bool skip_activation) {
  const LayerSpec& spec = layer.spec;
  switch (spec.type) {
    case LayerType::Dense: {
      if (!skip_activation) activation_backward(spec.activation, dout, out, B, layer.outputs);
      float* dweight = dparams + layer.weight_offset;
      const float* weight = params + layer.weight_offset;
      float* dbias = spec.use_bias ? dparams + layer.bias_offset : nullptr;
      dense_backward(dinp, dweight, dbias, dout, inp, weight, B, layer.inputs, layer.outputs);
      if (spec.l2 > 0.0) l2_backward(dweight, weight, spec.l2, layer.inputs, layer.outputs);
      return;
    }
    case LayerType::Activation:
      activation_layer_backward(dinp, dout, out, spec.activation, skip_activation, B, layer.outputs);
      return;
    case LayerType::Dropout:
      if (dinp) apply_mask(dinp, dout, mask, B * layer.outputs);
      return;
    case LayerType::Flatten: flatten_backward(dinp, dout, B, layer.outputs); return;
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
