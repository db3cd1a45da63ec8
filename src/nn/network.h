// A sequential network of dense, activation, dropout and flatten layers. All parameters live
// in ONE contiguous float buffer and all gradients in a second of the same layout (as in
// llm.c): layers hold offsets into them, so the optimizer is one loop over one array, saving is
// one write and the parameter count is a sum of sizes. Activation buffers are sized once for
// the largest batch; nothing is allocated per batch.
#pragma once

#include "kernels/pool.h"
#include "kernels/sparse_dense.h"
#include "nn/input.h"
#include "nn/layer.h"
#include "nn/spec.h"
#include "random.h"

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace mnisttrain::nn {

// Refuse sizes no MNIST-scale network needs before allocating them (a typo of a few zeros in
// "units" should be an error, not an attempt to allocate hundreds of gigabytes).
constexpr std::size_t kMaxParams = std::size_t{1} << 28;
constexpr std::size_t kMaxActivationFloats = std::size_t{1} << 28;

struct LayerTimings {
  std::vector<double> forward, backward;  // seconds per layer, summed over calls
  double compress = 0.0;  // the sparse first layer's batch compression, before the forwards
};

class Network {
 public:
  // input_shape as in the data, e.g. {28, 28}; it is flattened to 784 features (the reshape).
  Network(const ModelSpec& model, std::vector<int> input_shape, int num_classes);

  const std::vector<Layer>& layers() const { return layers_; }
  const std::vector<ParamTensor>& param_tensors() const { return tensors_; }
  const std::vector<int>& input_shape() const { return input_shape_; }
  std::size_t input_features() const { return input_features_; }
  std::size_t output_features() const { return layers_.empty() ? input_features_ : layers_.back().outputs; }
  std::size_t param_count() const { return params_.size(); }

  std::vector<float>& params() { return params_; }
  const std::vector<float>& params() const { return params_; }
  std::vector<float>& grads() { return grads_; }
  const std::vector<float>& grads() const { return grads_; }

  // Kernels from their initializers, biases zero; the seed alone decides every weight.
  void init_params(std::uint64_t seed);
  // Sizes the activation, gradient and mask buffers for batches of up to max_batch rows.
  void reserve(std::size_t max_batch);

  // Forward and backward run as shares on `threads` workers (0: one per core); the results
  // are the same bits for any thread count. Starts with one per core.
  void set_threads(int threads);
  int threads() const { return workers_->size(); }
  kernels::WorkerPool& workers() { return *workers_; }
  // The first dense layer skips the zero pixels of its input (exact; see kernels/sparse_dense.h)
  // when only flatten layers come before it.
  // Worth it up to about half the inputs being non-zero: see prefers_sparse_input().
  void use_sparse_input(bool sparse);
  bool sparse_input() const { return sparse_input_; }
  // Whether layer `layer` reads the batch compressed (its products skip the zero pixels).
  bool skips_zero_inputs(std::size_t layer) const { return sparse_input_of(layer) != nullptr; }
  // Whether backward computes layer `layer`'s input gradient: not below the first layer that
  // is not a flatten, where nothing needs it.
  bool computes_input_gradient(std::size_t layer) const { return layer > leading_flattens(); }
  // Whether forward needs the batch as floats: not when the sparse first layer compresses it
  // from the 8-bit images (see nn/input.h).
  bool needs_float_input() const { return !sparse_input_; }

  // When set, forward and backward add each layer's seconds to timings (sized by the network):
  // the per-layer breakdown `bench` prints. Null (the default) turns timing off.
  void set_timings(LayerTimings* timings);

  // The input is (B, input_features); returns the output (B, output_features), valid until the
  // next forward. `training` turns dropout on.
  const float* forward(const Input& input, std::size_t B, bool training);

  // Where the loss writes dL/d(output) (or dL/d(logits) when fused), (B, output_features).
  float* output_grad() { return grad_buffers_.back().data(); }
  // Fills grads() from output_grad(), for the input of the last forward. With fused_softmax the
  // output gradient is taken as already being the gradient of the last softmax's input.
  // `weight_sink`, when given, takes the gradient of streamable_weights() row block by row
  // block in place of grads() (offsets relative to that range's start), each block from the
  // thread that made it: the optimizer updates those weights while the gradient is in cache.
  void backward(const Input& input, std::size_t B, bool fused_softmax,
                const kernels::GradientSink* weight_sink = nullptr);
  // The part of the parameter buffer whose gradient backward() can stream: the sparse first
  // layer's kernel and bias (without L2), else empty.
  kernels::Range streamable_weights() const;

  bool ends_in_softmax() const;
  // Keras's L2 term: sum over dense layers of l2 * sum(W^2) (kernels only, not biases).
  double l2_penalty() const;

  // Dropout's random stream: its state goes into checkpoints so a resumed run draws the same
  // masks.
  Rng& dropout_rng() { return dropout_rng_; }
  // The mask (B, outputs) of dropout layer `layer` from the last training forward (1/(1-rate)
  // where kept, 0 where dropped): the gradient checker replays it.
  const float* dropout_mask(std::size_t layer) const { return masks_[layer].data(); }

 private:
  std::vector<Layer> layers_;
  std::vector<ParamTensor> tensors_;
  std::vector<int> input_shape_;
  std::size_t input_features_ = 0;
  std::vector<float> params_;
  std::vector<float> grads_;
  std::size_t max_batch_ = 0;
  std::vector<std::vector<float>> outputs_;       // per layer, (max_batch, outputs)
  std::vector<std::vector<float>> grad_buffers_;  // per layer, dL/d(output)
  std::vector<std::vector<float>> masks_;         // dropout layers only
  Rng dropout_rng_;
  std::unique_ptr<kernels::WorkerPool> workers_;
  bool sparse_input_ = false;
  LayerTimings* timings_ = nullptr;
  kernels::SparseBatch sparse_x_;  // the last forward's x, compressed, when sparse_input_

  // The dense layer that reads the input as it is (only flatten layers before it), or none.
  std::size_t first_dense_on_input() const;
  std::size_t leading_flattens() const;
  void reserve_sparse_input();
  // The input compressed into sparse_x_ (from the images when given), the pixels shared
  // between the workers.
  void compress_input(const Input& input, std::size_t B);
  const kernels::SparseBatch* sparse_input_of(std::size_t layer) const {
    return sparse_input_ && layer == first_dense_on_input() ? &sparse_x_ : nullptr;
  }
  // Runs a layer's pass on the workers with all of the sparse batch's work items there to take
  // (kernels/shared_items.h): the sparse layer's passes and the compression take them, the
  // other passes split by (ith, nth) and leave them alone.
  template <typename Task>
  void run_pass(Task& task) {
    sparse_x_.items.reset();
    workers_->run(task);
  }
};

// Density (fraction of non-zero inputs) below which the sparse first layer is faster than the
// dense product: measured on MNIST-shaped batches, where the two meet at about 50-60%.
constexpr double kSparseInputMaxDensity = 0.5;
inline bool prefers_sparse_input(double density) { return density < kSparseInputMaxDensity; }

}  // namespace mnisttrain::nn
