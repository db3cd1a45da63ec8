// The sequential network over one parameter buffer; see network.h.
#include "nn/network.h"

#include "checked_size.h"
#include "error.h"
#include "nn/dense.h"
#include "nn/init.h"
#include "kernels/blas.h"
#include "kernels/partition.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

namespace mnisttrain::nn {


using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

static constexpr std::uint64_t kInitStream = 2;
static constexpr std::uint64_t kDropoutStream = 3;

static std::string shape_text(const std::vector<int>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

Network::Network(const ModelSpec& model, std::vector<int> input_shape, int num_classes)
    : input_shape_(std::move(input_shape)) {
  input_features_ = 1;
  for (int d : input_shape_) {
    if (d <= 0) throw Error("input shape " + shape_text(input_shape_) + ": sizes must be positive");
    input_features_ = checked_mul(input_features_, static_cast<std::size_t>(d), "input features");
  }
  if (!model.input_shape.empty()) {
    std::uint64_t declared = 1;
    for (int d : model.input_shape) {
      declared = checked_mul(declared, static_cast<std::size_t>(d), "model.input_shape");
    }
    if (declared != input_features_) {
      throw Error("model.input_shape: " + shape_text(model.input_shape) + " (" +
                  std::to_string(declared) + " features) does not match the data's " +
                  shape_text(input_shape_) + " (" + std::to_string(input_features_) + ")");
    }
  }
  if (model.layers.empty()) throw Error("model.layers: the network has no layers");

  std::map<std::string, int> seen;  // Keras names repeats "dense", "dense_1", "dense_2", ...
  std::size_t width = input_features_;
  std::size_t offset = 0;
  for (std::size_t i = 0; i < model.layers.size(); ++i) {
    Layer layer;
    layer.spec = model.layers[i];
    const std::string base = name_of(layer.spec.type);
    if (!layer.spec.name.empty()) {
      layer.name = layer.spec.name;
    } else {
      const int n = seen[base]++;
      layer.name = n ? base + "_" + std::to_string(n) : base;
    }
    layer.inputs = width;
    layer.outputs = width;
    if (layer.spec.type == LayerType::Dense) {
      layer.outputs = static_cast<std::size_t>(layer.spec.units);
      layer.weight_offset = offset;
      // Checked: widths multiply past 2^64 long before the parameter limit below is reached.
      const std::string what = "model.layers[" + std::to_string(i) + "] parameters";
      const std::size_t kernel = checked_mul(layer.inputs, layer.outputs, what);
      offset = checked_add(offset, kernel, what);
      tensors_.push_back({layer.name + "/kernel", layer.weight_offset, kernel});
      if (layer.spec.use_bias) {
        layer.bias_offset = offset;
        offset = checked_add(offset, layer.outputs, what);
        tensors_.push_back({layer.name + "/bias", layer.bias_offset, layer.outputs});
      }
      layer.param_count = offset - layer.weight_offset;
    }
    width = layer.outputs;
    layers_.push_back(layer);
  }
  if (width != static_cast<std::size_t>(num_classes)) {
    throw Error("model.layers[" + std::to_string(layers_.size() - 1) + "]: the network ends in " +
                std::to_string(width) + " outputs, expected " + std::to_string(num_classes) +
                " (one per class)");
  }
  if (offset > kMaxParams) {
    throw Error("model.layers: the network has " + std::to_string(offset) + " parameters, more than the " +
                std::to_string(kMaxParams) + " this tool allocates (1 GiB of floats)");
  }
  params_.assign(offset, 0.0f);
  grads_.assign(offset, 0.0f);
  // The workers own the cores; OpenBLAS runs single-threaded inside them (two thread pools
  // spinning against each other on two cores cost more than either gains).
  blas::set_num_threads(1);
  set_threads(0);
}

void Network::init_params(std::uint64_t seed) {
  Rng rng(derive_seed(seed, kInitStream, 0));
  std::fill(params_.begin(), params_.end(), 0.0f);
  for (const Layer& layer : layers_) {
    if (layer.spec.type != LayerType::Dense) continue;
    init_kernel(layer.spec.kernel_initializer, params_.data() + layer.weight_offset, layer.inputs,
                layer.outputs, rng);
  }
  dropout_rng_ = Rng(derive_seed(seed, kDropoutStream, 0));
}

void Network::reserve(std::size_t max_batch) {
  if (max_batch <= max_batch_) return;
  std::size_t per_sample = 0;
  for (const Layer& layer : layers_) per_sample = checked_add(per_sample, layer.outputs, "activations");
  if (max_batch > kMaxActivationFloats / std::max<std::size_t>(per_sample, 1)) {
    throw Error("batch of " + std::to_string(max_batch) + " samples needs " + std::to_string(per_sample) +
                " activation floats each, more than the " + std::to_string(kMaxActivationFloats) +
                " this tool allocates; use a smaller batch_size");
  }
  max_batch_ = max_batch;
  outputs_.resize(layers_.size());
  grad_buffers_.resize(layers_.size());
  masks_.resize(layers_.size());
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const std::size_t n = max_batch * layers_[i].outputs;
    outputs_[i].assign(n, 0.0f);
    grad_buffers_[i].assign(n, 0.0f);
    if (layers_[i].spec.type == LayerType::Dropout) masks_[i].assign(n, 0.0f);
  }
  if (sparse_input_) reserve_sparse_input();
}

void Network::set_threads(int threads) {
  if (threads < 1) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (workers_ && threads == workers_->size()) return;
  workers_ = std::make_unique<kernels::WorkerPool>(threads);
}

std::size_t Network::leading_flattens() const {
  std::size_t count = 0;
  while (count < layers_.size() && layers_[count].spec.type == LayerType::Flatten) ++count;
  return count;
}

std::size_t Network::first_dense_on_input() const {
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i].spec.type == LayerType::Dense) return i;
    if (layers_[i].spec.type != LayerType::Flatten) break;
  }
  return layers_.size();
}

void Network::use_sparse_input(bool sparse) {
  sparse_input_ = sparse && first_dense_on_input() < layers_.size();
  if (sparse_input_ && max_batch_ > 0) reserve_sparse_input();
}

void Network::reserve_sparse_input() {
  const std::size_t width = input_shape_.size() >= 2 ? static_cast<std::size_t>(input_shape_.back()) : 0;
  // With a bias, the batch gets the ones column: the kernel then makes the bias gradient as the
  // row after the kernel's, which is where the bias sits in the parameter buffer.
  const Layer& first = layers_[first_dense_on_input()];
  sparse_x_.reserve(max_batch_, input_features_, first.outputs, width, first.spec.use_bias);
}

void Network::compress_input(const Input& input, std::size_t B) {
  if (!input.images) {  // floats from the start (a few samples): the plain build
    sparse_x_.build(input.x, B, input_features_);
    return;
  }
  // Bands of pixels (whole tiles for the transposition), taken from both ends.
  constexpr std::size_t kBand = kernels::kPixelBand;
  const std::size_t bands = (input_features_ + kBand - 1) / kBand;
  auto band_pixels = [&](std::size_t band) {
    return kernels::Range{band * kBand, std::min(input_features_, (band + 1) * kBand)};
  };
  sparse_x_.start(B, input_features_);
  auto transpose_share = [&](int ith, int) {
    std::size_t band = 0;
    while (sparse_x_.items.take(ith, bands, band)) sparse_x_.transpose_columns(input.images, band_pixels(band));
  };
  run_pass(transpose_share);
}

void Network::set_timings(LayerTimings* timings) {
  timings_ = timings;
  if (timings_) {
    timings_->forward.assign(layers_.size(), 0.0);
    timings_->backward.assign(layers_.size(), 0.0);
    timings_->compress = 0.0;
  }
}

// Every pass over a layer runs as shares on the workers; each run() returns when all shares are
// done, which is the barrier between one layer and the next.
const float* Network::forward(const Input& input, std::size_t B, bool training) {
  if (B > max_batch_) reserve(B);
  if (sparse_input_) {
    const auto start = Clock::now();
    compress_input(input, B);
    if (timings_) timings_->compress += seconds_since(start);
  } else if (!input.x) {
    throw Error("the network's first layer reads the batch as floats, and none were given");
  }
  const float* in = input.x;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    if (sparse_input_ && i < leading_flattens()) continue;  // the sparse layer reads sparse_x_
    auto share = [&](int ith, int nth) {
      layer_forward(outputs_[i].data(), masks_[i].data(), in, sparse_input_of(i), params_.data(),
                    layers_[i], B, training, dropout_rng_, ith, nth);
    };
    const auto start = Clock::now();
    run_pass(share);
    if (const kernels::SparseBatch* sparse = sparse_input_of(i)) {
      auto finish_share = [&](int ith, int nth) { layer_forward_finish(outputs_[i].data(), *sparse, layers_[i], B, ith, nth); };
      workers_->run(finish_share);
    }
    if (timings_) timings_->forward[i] += seconds_since(start);
    in = outputs_[i].data();
  }
  return in;
}

kernels::Range Network::streamable_weights() const {
  if (!sparse_input_) return {};
  const Layer& first = layers_[first_dense_on_input()];
  if (first.spec.l2 > 0.0) return {};  // the kernel would have to add 2 * l2 * W to each row
  return {first.weight_offset, first.weight_offset + first.param_count};  // the kernel, then the bias
}

void Network::backward(const Input& input, std::size_t B, bool fused_softmax,
                       const kernels::GradientSink* weight_sink) {
  const std::size_t last = layers_.size() - 1;
  for (std::size_t i = layers_.size(); i-- > 0;) {
    const Layer& layer = layers_[i];
    const auto start = Clock::now();
    const kernels::SparseBatch* sparse = sparse_input_of(i);
    const bool activation = has_activation_gradient(layer, fused_softmax && i == last);
    if (activation || sparse) {
      // dZ from dL/d(output), and for the sparse first layer dZ copied into the batch's panels,
      // by rows: the products below read all of it.
      auto prepare_share = [&](int ith, int nth) {
        float* dout = grad_buffers_[i].data();
        if (activation) layer_backward_activation(dout, outputs_[i].data(), layer, B, ith, nth);
        if (sparse) kernels::pack_gradient_panels(*sparse, dout, layer.outputs, kernels::split_range(B, ith, nth));
      };
      workers_->run(prepare_share);
    }
    const float* in = i ? outputs_[i - 1].data() : input.x;
    // Below the first layer that is not a flatten, nothing needs the input's gradient (and the
    // sparse first layer's weights are being updated in this very run).
    float* dx = computes_input_gradient(i) ? grad_buffers_[i - 1].data() : nullptr;
    auto share = [&](int ith, int nth) {
      layer_backward(dx, grads_.data(), grad_buffers_[i].data(), in, sparse, sparse ? weight_sink : nullptr,
                     masks_[i].data(), params_.data(), layer, B, ith, nth);
    };
    run_pass(share);
    if (timings_) timings_->backward[i] += seconds_since(start);
  }
}

bool Network::ends_in_softmax() const {
  const Layer& last = layers_.back();
  return (last.spec.type == LayerType::Dense || last.spec.type == LayerType::Activation) &&
         last.spec.activation == Activation::Softmax;
}

double Network::l2_penalty() const {
  double total = 0.0;
  for (const Layer& layer : layers_) {
    if (layer.spec.type != LayerType::Dense || layer.spec.l2 <= 0.0) continue;
    total += nn::l2_penalty(params_.data() + layer.weight_offset, layer.spec.l2, layer.inputs,
                            layer.outputs);
  }
  return total;
}

}  // namespace mnisttrain::nn
