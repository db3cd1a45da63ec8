// One training step; see step.h.
#include "train/step.h"

#include "kernels/partition.h"
#include "nn/objective.h"

#include <algorithm>
#include <chrono>
#include <cmath>

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

}  // namespace

Stepper::Stepper(nn::Network& network, const config::TrainingConfig& training)
    : network_(network),
      loss_(training.loss),
      optimizer_(training.optimizer, network.param_count()),
      fused_(nn::fused_gradient(network, training.loss)),
      has_l2_(std::any_of(network.layers().begin(), network.layers().end(),
                          [](const nn::Layer& l) { return l.spec.l2 > 0.0; })) {}

StepResult Stepper::step(const float* x, const float* onehot, const std::int32_t* labels, std::size_t B,
                         float learning_rate) {
  auto start = Clock::now();
  const nn::LossResult r = nn::forward_loss(network_, loss_, x, onehot, labels, B, true).loss;
  const double loss = r.loss + (has_l2_ ? network_.l2_penalty() : 0.0);
  if (timings_) timings_->forward_and_loss += lap(start);
  if (std::isfinite(loss)) {
    network_.backward(x, B, fused_);
    if (timings_) timings_->backward += lap(start);
    float* params = network_.params().data();
    float* grads = network_.grads().data();
    optimizer_.begin_step(grads, learning_rate, network_.param_tensors());
    auto update_share = [&](int ith, int nth) {
      optimizer_.update(params, grads, kernels::split_range(optimizer_.param_count(), ith, nth, kernels::kLineFloats));
    };
    network_.workers().run(update_share);
    if (timings_) timings_->optimizer += lap(start);
  }
  return {loss, r.correct};
}

}  // namespace mnisttrain::train
