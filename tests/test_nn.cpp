// Layers, losses and the network: activation values, dense against a naive loop, the fused
// softmax-crossentropy gradient, initializers, dropout, parameter layout, and central-difference
// gradient checks for every layer type and activation (and that a wrong gradient is caught).
#include "config/config.h"
#include "data/batches.h"
#include "nn/activation.h"
#include "nn/dense.h"
#include "nn/gradcheck.h"
#include "nn/init.h"
#include "nn/loss.h"
#include "nn/network.h"
#include "nn/objective.h"
#include "random.h"
#include "fixtures.h"

#include <cmath>
#include <numeric>

using namespace mnisttrain;
using nn::Activation;
using nn::LayerSpec;
using nn::LayerType;
using nn::Loss;
using Catch::Matchers::Contains;

namespace {

LayerSpec dense(int units, Activation act, bool bias = true, double l2 = 0.0) {
  LayerSpec l;
  l.type = LayerType::Dense;
  l.units = units;
  l.activation = act;
  l.use_bias = bias;
  l.l2 = l2;
  return l;
}

LayerSpec layer(LayerType type, Activation act = Activation::Linear, double rate = 0.0) {
  LayerSpec l;
  l.type = type;
  l.activation = act;
  l.rate = rate;
  return l;
}

struct SmallBatch {
  std::size_t B = 5;
  std::vector<float> x;
  std::vector<float> onehot;
  std::vector<std::int32_t> labels;
  SmallBatch(std::size_t features, std::size_t classes, std::uint64_t seed) {
    Rng rng(seed);
    for (std::size_t i = 0; i < B * features; ++i) x.push_back(rng.uniform());
    onehot.assign(B * classes, 0.0f);
    for (std::size_t r = 0; r < B; ++r) {
      labels.push_back(static_cast<std::int32_t>(rng.below(classes)));
      onehot[r * classes + static_cast<std::size_t>(labels.back())] = 1.0f;
    }
  }
};

nn::GradcheckResult check(const std::vector<LayerSpec>& layers, Loss loss, std::uint64_t seed = 1,
                          std::function<void(std::vector<float>&)> corrupt = {}) {
  nn::ModelSpec model;
  model.layers = layers;
  nn::Network net(model, {2, 3}, 4);
  net.init_params(seed);
  // Biases start at zero; give them values so their gradient paths are exercised off zero.
  Rng rng(seed + 100);
  for (const auto& t : net.param_tensors()) {
    if (t.name.find("bias") != std::string::npos) {
      for (std::size_t i = 0; i < t.size; ++i) net.params()[t.offset + i] = 0.2f * (rng.uniform() - 0.5f);
    }
  }
  SmallBatch batch(6, 4, seed);
  nn::GradcheckOptions options;
  options.per_tensor = 0;
  options.step = 1e-4;
  options.corrupt = std::move(corrupt);
  return nn::gradient_check(net, loss, batch.x.data(), batch.onehot.data(), batch.labels.data(), batch.B,
                            options);
}

}  // namespace

TEST_CASE("activations compute their textbook values", "[nn]") {
  std::vector<float> y = {-1.0f, 0.0f, 2.0f};
  nn::activation_forward(Activation::Relu, y.data(), 1, 3);
  CHECK(y == std::vector<float>{0.0f, 0.0f, 2.0f});
  y = {0.0f, 2.0f};
  nn::activation_forward(Activation::Sigmoid, y.data(), 1, 2);
  CHECK(y[0] == Approx(0.5f));
  CHECK(y[1] == Approx(1.0 / (1.0 + std::exp(-2.0))));
  y = {0.5f};
  nn::activation_forward(Activation::Tanh, y.data(), 1, 1);
  CHECK(y[0] == Approx(std::tanh(0.5)));
  // softmax([1,2,3]) = e^k / (e + e^2 + e^3)
  y = {1.0f, 2.0f, 3.0f};
  nn::activation_forward(Activation::Softmax, y.data(), 1, 3);
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  CHECK(y[0] == Approx(std::exp(1.0) / z));
  CHECK(y[2] == Approx(std::exp(3.0) / z));
}

TEST_CASE("softmax is stable for huge logits", "[nn]") {
  std::vector<float> y = {1000.0f, 1001.0f, -1000.0f};
  nn::activation_forward(Activation::Softmax, y.data(), 1, 3);
  for (float v : y) CHECK(std::isfinite(v));
  CHECK(y[1] == Approx(1.0 / (1.0 + std::exp(-1.0))));
  CHECK(y[2] == 0.0f);
}

TEST_CASE("dense forward equals X.W + b computed by hand", "[nn]") {
  const float x[] = {1, 2, 3, 4, 5, 6};      // (2, 3)
  const float w[] = {1, 0, -1, 1, 2, 0.5f};  // (3, 2)
  const float b[] = {0.5f, -1};
  float out[4];
  nn::dense_forward(out, x, w, b, nn::Activation::Linear, 2, 3, 2, 0, 1);
  // row 0: [1*1 + 2*-1 + 3*2, 1*0 + 2*1 + 3*0.5] + b = [5.5, 2.5]
  CHECK(out[0] == Approx(5.5f));
  CHECK(out[1] == Approx(2.5f));
  // row 1: [4 - 5 + 12, 0 + 5 + 3] + b = [11.5, 7]
  CHECK(out[2] == Approx(11.5f));
  CHECK(out[3] == Approx(7.0f));
}

TEST_CASE("crossentropy values and Keras's clipping", "[nn][loss]") {
  const float p[] = {0.7f, 0.2f, 0.1f, 0.0f, 1.0f, 0.0f};
  const float y[] = {1, 0, 0, 1, 0, 0};
  const std::int32_t labels[] = {0, 0};
  const nn::LossResult r = nn::compute_loss(Loss::CategoricalCrossentropy, p, y, labels, 2, 3, nullptr, false);
  // (-log 0.7 - log 1e-7) / 2: the second row's p = 0 is clipped to 1e-7, not infinity.
  CHECK(r.loss == Approx((-std::log(0.7) - std::log(1e-7)) / 2).epsilon(1e-6));
  CHECK(r.correct == 1);
  const nn::LossResult sparse = nn::compute_loss(Loss::SparseCategoricalCrossentropy, p, y, labels, 2, 3, nullptr, false);
  CHECK(sparse.loss == Approx(r.loss));
  const nn::LossResult mse = nn::compute_loss(Loss::MeanSquaredError, p, y, labels, 2, 3, nullptr, false);
  // row 0: (0.09 + 0.04 + 0.01)/3, row 1: (1 + 1 + 0)/3; mean over rows
  CHECK(mse.loss == Approx((0.14 / 3 + 2.0 / 3) / 2).epsilon(1e-6));
}

TEST_CASE("fused softmax-crossentropy gradient is (p - y) / B and matches the chain rule", "[nn][loss]") {
  std::vector<float> logits = {0.3f, -1.2f, 2.0f, 0.1f, 0.5f, 0.5f};
  const float y[] = {0, 0, 1, 1, 0, 0};
  const std::int32_t labels[] = {2, 0};
  std::vector<float> p = logits;
  nn::activation_forward(Activation::Softmax, p.data(), 2, 3);
  std::vector<float> fused(6), chained(6);
  nn::compute_loss(Loss::CategoricalCrossentropy, p.data(), y, labels, 2, 3, fused.data(), true);
  for (int i = 0; i < 6; ++i) CHECK(fused[i] == Approx((p[i] - y[i]) / 2.0f));
  // The long way: dL/dp = -y/(B p), then through the softmax Jacobian.
  nn::compute_loss(Loss::CategoricalCrossentropy, p.data(), y, labels, 2, 3, chained.data(), false);
  nn::activation_backward(Activation::Softmax, chained.data(), p.data(), 2, 3);
  for (int i = 0; i < 6; ++i) CHECK(chained[i] == Approx(fused[i]).margin(1e-6));
}

TEST_CASE("the reference network has 401,920 + 5,130 = 407,050 parameters in one buffer", "[nn]") {
  const config::Config cfg = config::default_config();
  nn::Network net(cfg.model, {28, 28}, 10);
  REQUIRE(net.layers().size() == 2);
  CHECK(net.layers()[0].param_count == 401920);  // (784 + 1) * 512
  CHECK(net.layers()[1].param_count == 5130);    // (512 + 1) * 10
  CHECK(net.param_count() == 407050);
  CHECK(net.grads().size() == net.param_count());
  CHECK(net.layers()[0].name == "dense");
  CHECK(net.layers()[1].name == "dense_1");
  // Kernel, bias, kernel, bias, back to back.
  const auto& t = net.param_tensors();
  REQUIRE(t.size() == 4);
  CHECK(t[0].offset == 0);
  CHECK(t[1].offset == 784 * 512);
  CHECK(t[2].offset == 784 * 512 + 512);
  CHECK(t[3].offset + t[3].size == 407050);
}

TEST_CASE("a network whose outputs differ from the class count is refused", "[nn]") {
  nn::ModelSpec model;
  model.layers = {dense(12, Activation::Softmax)};
  CHECK_THAT(fixtures::error_of([&] { nn::Network(model, {28, 28}, 10); }),
             Contains("ends in 12 outputs, expected 10"));
  model.layers = {dense(10, Activation::Softmax)};
  model.input_shape = {32, 32};
  CHECK_THAT(fixtures::error_of([&] { nn::Network(model, {28, 28}, 10); }),
             Contains("model.input_shape") && Contains("784"));
}

TEST_CASE("absurd layer widths and batch sizes are refused before allocating", "[nn]") {
  nn::ModelSpec model;
  // (784 + 1) * 1e9 + (1e9 + 1) * 10 parameters.
  model.layers = {dense(1000000000, Activation::Relu), dense(10, Activation::Softmax)};
  CHECK_THAT(fixtures::error_of([&] { nn::Network(model, {28, 28}, 10); }),
             Contains("795000000010 parameters") && Contains("more than the 268435456"));
  model.layers = {dense(10, Activation::Softmax)};
  nn::Network net(model, {28, 28}, 10);
  CHECK_THAT(fixtures::error_of([&] { net.reserve(std::size_t{1} << 30); }), Contains("use a smaller batch_size"));
}

TEST_CASE("initializers: same seed same weights, documented ranges", "[nn][init]") {
  nn::ModelSpec model;
  model.layers = {dense(300, Activation::Relu), dense(10, Activation::Softmax)};
  nn::Network a(model, {28, 28}, 10), b(model, {28, 28}, 10);
  a.init_params(5);
  b.init_params(5);
  CHECK(a.params() == b.params());
  b.init_params(6);
  CHECK(a.params() != b.params());
  // glorot_uniform: |w| <= sqrt(6 / (784 + 300)); biases zero.
  const double limit = std::sqrt(6.0 / (784 + 300));
  const auto& k = a.param_tensors()[0];
  double max_abs = 0, sum_sq = 0;
  for (std::size_t i = 0; i < k.size; ++i) {
    max_abs = std::max(max_abs, std::fabs(double(a.params()[i])));
    sum_sq += double(a.params()[i]) * a.params()[i];
  }
  CHECK(max_abs <= limit);
  CHECK(max_abs > 0.99 * limit);
  // Variance of U(-l, l) is l^2 / 3.
  CHECK(sum_sq / double(k.size) == Approx(limit * limit / 3).epsilon(0.02));
  const auto& bias = a.param_tensors()[1];
  for (std::size_t i = 0; i < bias.size; ++i) REQUIRE(a.params()[bias.offset + i] == 0.0f);

  // he_normal: truncated at two stddevs, variance 2 / fan_in after the 0.8796 correction.
  std::vector<float> w(784 * 300);
  Rng rng(9);
  nn::init_kernel(nn::Initializer::HeNormal, w.data(), 784, 300, rng);
  double var = 0, largest = 0;
  for (float v : w) {
    var += double(v) * v;
    largest = std::max(largest, std::fabs(double(v)));
  }
  CHECK(var / double(w.size()) == Approx(2.0 / 784).epsilon(0.03));
  CHECK(largest <= 2 * std::sqrt(2.0 / 784) / 0.87962566103423978 + 1e-6);
  nn::init_kernel(nn::Initializer::Zeros, w.data(), 784, 300, rng);
  CHECK(std::all_of(w.begin(), w.end(), [](float v) { return v == 0.0f; }));
}

TEST_CASE("dropout: inverted scaling in training, identity in inference", "[nn]") {
  nn::ModelSpec model;
  model.layers = {layer(LayerType::Dropout, Activation::Linear, 0.25), dense(10, Activation::Linear)};
  nn::Network net(model, {1, 1000}, 10);
  net.init_params(1);
  std::vector<float> x(1000, 1.0f);
  net.forward(x.data(), 1, true);
  const float* mask = net.dropout_mask(0);
  std::size_t kept = 0;
  for (std::size_t i = 0; i < 1000; ++i) {
    REQUIRE((mask[i] == 0.0f || mask[i] == Approx(1.0f / 0.75f)));
    kept += mask[i] != 0.0f;
  }
  CHECK(kept > 700);
  CHECK(kept < 800);
  net.forward(x.data(), 1, false);
  for (std::size_t i = 0; i < 1000; ++i) REQUIRE(net.dropout_mask(0)[i] == 1.0f);
}

TEST_CASE("gradients match central differences for every layer type and activation", "[nn][gradcheck]") {
  const double threshold = 1e-3;
  for (Activation act : {Activation::Relu, Activation::Sigmoid, Activation::Tanh, Activation::Linear, Activation::Softmax}) {
    DYNAMIC_SECTION("hidden dense " << nn::name_of(act)) {
      const auto r = check({dense(5, act), dense(4, Activation::Softmax)}, Loss::CategoricalCrossentropy);
      CHECK(r.max_rel_error < threshold);
      CHECK(r.tensors.size() == 4);
    }
  }
  SECTION("separate activation layers, flatten, dropout, no bias, l2") {
    const auto r = check({layer(LayerType::Flatten), dense(5, Activation::Linear, false, 0.01),
                          layer(LayerType::Activation, Activation::Tanh),
                          layer(LayerType::Dropout, Activation::Linear, 0.3), dense(4, Activation::Linear, true, 0.02),
                          layer(LayerType::Activation, Activation::Softmax)},
                         Loss::CategoricalCrossentropy);
    CHECK(r.tensors.size() == 3);  // kernel (no bias), kernel, bias
    CHECK(r.max_rel_error < threshold);
  }
  SECTION("sparse crossentropy") {
    CHECK(check({dense(5, Activation::Relu), dense(4, Activation::Softmax)}, Loss::SparseCategoricalCrossentropy)
              .max_rel_error < threshold);
  }
  SECTION("mean squared error through sigmoid and softmax outputs (no fusion)") {
    CHECK(check({dense(5, Activation::Tanh), dense(4, Activation::Sigmoid)}, Loss::MeanSquaredError).max_rel_error <
          threshold);
    CHECK(check({dense(5, Activation::Relu), dense(4, Activation::Softmax)}, Loss::MeanSquaredError).max_rel_error <
          threshold);
  }
}

namespace {

// The gradient of every parameter after one forward and backward of a batch of 8-bit images,
// through the sparse first layer or the dense one, on `threads` threads.
std::vector<float> batch_gradients(const std::vector<LayerSpec>& layers, bool sparse, int threads,
                                   const std::vector<std::uint8_t>& pixels, const std::vector<float>& x,
                                   const std::vector<float>& onehot, const std::vector<std::int32_t>& labels) {
  nn::ModelSpec model;
  model.layers = layers;
  nn::Network net(model, {28, 28}, 10);
  net.init_params(3);
  Rng rng(4);  // biases off zero, as a trained network has them
  for (const auto& t : net.param_tensors()) {
    if (t.name.find("bias") == std::string::npos) continue;
    for (std::size_t i = 0; i < t.size; ++i) net.params()[t.offset + i] = 0.2f * (rng.uniform() - 0.5f);
  }
  const std::size_t B = labels.size(), C = 784;
  std::vector<const std::uint8_t*> rows(B);
  for (std::size_t b = 0; b < B; ++b) rows[b] = pixels.data() + b * C;
  net.set_threads(threads);
  net.reserve(B);
  net.use_sparse_input(sparse);
  const nn::Input input(x.data(), rows.data());
  nn::forward_loss(net, Loss::CategoricalCrossentropy, input, onehot.data(), labels.data(), B, true);
  net.backward(input, B, nn::fused_gradient(net, Loss::CategoricalCrossentropy));
  return net.grads();
}

}  // namespace

TEST_CASE("the sparse first layer gives the dense path's gradients, its bias's included", "[nn]") {
  // MNIST-like images (a fifth of the pixels lit); the sparse layer makes its bias gradient as
  // the row of a ones column (kernels/sparse_dense.h), which a layer without a bias has not, and
  // which L2 must leave alone.
  const std::size_t B = 70, C = 784;
  Rng rng(5);
  std::vector<std::uint8_t> pixels(B * C);
  for (auto& p : pixels) p = rng.uniform() < 0.2f ? static_cast<std::uint8_t>(1 + rng.below(255)) : 0;
  std::vector<float> x(B * C);
  data::scale_pixels(pixels.data(), pixels.size(), x.data());
  std::vector<float> onehot(B * 10, 0.0f);
  std::vector<std::int32_t> labels(B);
  for (std::size_t b = 0; b < B; ++b) {
    labels[b] = static_cast<std::int32_t>(rng.below(10));
    onehot[b * 10 + static_cast<std::size_t>(labels[b])] = 1.0f;
  }
  for (const auto& [bias, l2] : {std::pair{true, 0.0}, std::pair{false, 0.0}, std::pair{true, 0.01}}) {
    INFO("bias " << bias << ", l2 " << l2);
    const std::vector<LayerSpec> layers = {dense(40, Activation::Relu, bias, l2), dense(10, Activation::Softmax)};
    const std::vector<float> dense_path = batch_gradients(layers, false, 1, pixels, x, onehot, labels);
    for (int threads : {1, 2}) {
      const std::vector<float> sparse_path = batch_gradients(layers, true, threads, pixels, x, onehot, labels);
      REQUIRE(sparse_path.size() == dense_path.size());
      double worst = 0.0;
      for (std::size_t i = 0; i < dense_path.size(); ++i) worst = std::max(worst, std::fabs(double(sparse_path[i]) - dense_path[i]));
      CHECK(worst < 1e-6);  // sums of ~70 terms of < 0.1, in another order
    }
    if (bias) {  // the first layer's bias gradient is really there: not all zero
      const std::size_t first_bias = C * 40;
      CHECK(std::any_of(dense_path.begin() + first_bias, dense_path.begin() + first_bias + 40,
                        [](float g) { return std::fabs(g) > 1e-4f; }));
    }
  }
}

TEST_CASE("gradcheck fails when a wrong gradient is injected", "[nn][gradcheck]") {
  const std::vector<LayerSpec> layers = {dense(5, Activation::Relu), dense(4, Activation::Softmax)};
  const auto good = check(layers, Loss::CategoricalCrossentropy);
  REQUIRE(good.max_rel_error < 1e-3);
  // 5% too large on the first kernel, as a forgotten factor would make it.
  const auto bad = check(layers, Loss::CategoricalCrossentropy, 1, [](std::vector<float>& g) {
    for (std::size_t i = 0; i < 30; ++i) g[i] *= 1.05f;
  });
  CHECK(bad.tensors[0].max_rel_error > 0.04);
  CHECK(bad.tensors[2].max_rel_error < 1e-3);
  CHECK(bad.max_rel_error > 1e-3);
}
