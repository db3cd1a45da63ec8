// One layer of the sequential network and the one place that dispatches on its kind: the
// network's forward and backward and the gradient check's double-precision reference all go
// through these three functions, each a switch over LayerType calling that kind's plain
// functions (dense.h, activation.h, dropout.h, flatten.h).
#pragma once

#include "kernels/sparse_dense.h"
#include "nn/spec.h"
#include "random.h"

#include <cstddef>
#include <string>

namespace mnisttrain::nn {

struct Layer {
  LayerSpec spec;
  std::string name;                // "dense", "dense_1", "dropout", ... as Keras names them
  std::size_t inputs = 0;          // features in
  std::size_t outputs = 0;         // features out
  std::size_t weight_offset = 0;   // dense: kernel (inputs, outputs) in the parameter buffer
  std::size_t bias_offset = 0;     // dense with use_bias: bias (outputs)
  std::size_t param_count = 0;     // (inputs + 1) * outputs with bias, inputs * outputs without
};

// The passes below compute the share ith of nth threads ((0, 1): the whole layer); every value
// is computed by one thread in an order that does not depend on nth.

// out (B, outputs) from inp (B, inputs). params is the whole parameter buffer; mask is the
// (B, outputs) dropout mask (dropout layers only, else unused); training turns dropout on (its
// masks come from one random stream in a fixed order, so thread 0 draws them all). `sparse`,
// when given, is inp compressed for the first dense layer (kernels/sparse_dense.h): its forward
// then takes a second pass, layer_forward_finish, after a barrier.
void layer_forward(float* out, float* mask, const float* inp, const kernels::SparseBatch* sparse,
                   const float* params, const Layer& layer, std::size_t B, bool training,
                   Rng& dropout_rng, int ith, int nth);
void layer_forward_finish(float* out, const kernels::SparseBatch& sparse, const Layer& layer,
                          std::size_t B, int ith, int nth);

// Backward is two passes, with a barrier between them (the second reads all of the first's
// result). First dZ = dout * act'(out) in place on dout (B, outputs), for layers where
// has_activation_gradient holds: skip_activation means dout already is the gradient of the
// activation's input (the fused softmax + crossentropy gradient).
bool has_activation_gradient(const Layer& layer, bool skip_activation);
void layer_backward_activation(float* dout, const float* out, const Layer& layer, std::size_t B,
                               int ith, int nth);
// Then, from dZ (B, outputs): the layer's parameter gradients into dparams (the whole gradient
// buffer, same layout as params) and dinp = dL/d(inp) (B, inputs) unless dinp is null. `sink`,
// when given, takes the kernel's gradient rows of a sparse-input dense layer, and its bias's as
// one more row (nn/dense.h).
void layer_backward(float* dinp, float* dparams, const float* dout, const float* inp,
                    const kernels::SparseBatch* sparse, const kernels::GradientSink* sink,
                    const float* mask, const float* params, const Layer& layer, std::size_t B,
                    int ith, int nth);

// The same forward in double with naive loops, dropout replaying the recorded mask: what
// central differences are taken of. Returns the layer's L2 penalty at these parameters.
double layer_forward_reference(double* out, const double* inp, const double* params,
                               const float* mask, const Layer& layer, std::size_t B);

}  // namespace mnisttrain::nn
