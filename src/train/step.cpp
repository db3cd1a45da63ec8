// One training step; see step.h.
#include "train/step.h"

#include "kernels/partition.h"
#include "nn/objective.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>

namespace mnisttrain::train {

namespace {

using Clock = std::chrono::steady_clock;

// Seconds since `start`, and `start` moved to now.
double lap(Clock::time_point& start) {
  const auto now = Clock::now();
  const double seconds = std::chrono::duration<double>(now - start).count();
  start = now;
  return seconds;
}

// The sink through which the sparse first layer hands over its weight gradient, row block by
// row block: each block is applied by the optimizer at once, from the thread that made it.
struct StreamedUpdate {
  optim::Optimizer* optimizer;
  float* params;
  std::size_t first;  // where the streamed weights start in the parameter buffer

  static void take(void* context, std::size_t offset, const float* gradient, std::size_t count) {
    auto* self = static_cast<StreamedUpdate*>(context);
    self->optimizer->update_slice(self->params, gradient, self->first + offset, count);
  }
};

// This thread's share of `part` of the parameter buffer.
kernels::Range share_of(kernels::Range part, int ith, int nth) {
  const kernels::Range share = kernels::split_range(part.size(), ith, nth, kernels::kLineFloats);
  return {part.begin + share.begin, part.begin + share.end};
}

}  // namespace

Stepper::Stepper(nn::Network& network, const config::TrainingConfig& training)
    : network_(network),
      loss_(training.loss),
      optimizer_(training.optimizer, network.param_count()),
      fused_(nn::fused_gradient(network, training.loss)),
      has_l2_(std::any_of(network.layers().begin(), network.layers().end(),
                          [](const nn::Layer& l) { return l.spec.l2 > 0.0; })) {}

StepResult Stepper::step(const nn::Input& input, const float* onehot, const std::int32_t* labels, std::size_t B,
                         float learning_rate) {
  auto start = Clock::now();
  const nn::LossResult r = nn::forward_loss(network_, loss_, input, onehot, labels, B, true).loss;
  const double loss = r.loss + (has_l2_ ? network_.l2_penalty() : 0.0);
  if (timings_) timings_->forward_and_loss += lap(start);
  if (std::isfinite(loss)) {
    float* params = network_.params().data();
    float* grads = network_.grads().data();
    // The sparse first layer's weights (98% of the reference network's) are updated during the
    // backward pass as their gradient is made: the same arithmetic on the same values, but the
    // gradient never goes out to memory and back, and the weights are touched once per step.
    const kernels::Range streamed =
        optimizer_.updates_elementwise() ? network_.streamable_weights() : kernels::Range{};
    if (streamed.size() > 0) {
      optimizer_.begin_step(grads, learning_rate, network_.param_tensors());
      StreamedUpdate target{&optimizer_, params, streamed.begin};
      const std::optional<kernels::RmspropVectors> rmsprop = optimizer_.rmsprop_vectors(params, streamed.begin);
      const kernels::GradientSink sink{&StreamedUpdate::take, &target, rmsprop ? &*rmsprop : nullptr};
      network_.backward(input, B, fused_, &sink);
    } else {
      network_.backward(input, B, fused_);
      optimizer_.begin_step(grads, learning_rate, network_.param_tensors());
    }
    if (timings_) timings_->backward += lap(start);
    const kernels::Range before{0, streamed.begin}, after{streamed.end, optimizer_.param_count()};
    auto update_share = [&](int ith, int nth) {
      optimizer_.update(params, grads, share_of(before, ith, nth));
      optimizer_.update(params, grads, share_of(after, ith, nth));
    };
    network_.workers().run(update_share);
    if (timings_) timings_->optimizer += lap(start);
  }
  return {loss, r.correct};
}

}  // namespace mnisttrain::train
