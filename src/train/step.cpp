// One training step; see step.h.
#include "train/step.h"

#include "kernels/partition.h"
#include "nn/objective.h"

#include <algorithm>
#include <cmath>

namespace mnisttrain::train {

Stepper::Stepper(nn::Network& network, const config::TrainingConfig& training)
    : network_(network),
      loss_(training.loss),
      optimizer_(training.optimizer, network.param_count()),
      fused_(nn::fused_gradient(network, training.loss)),
      has_l2_(std::any_of(network.layers().begin(), network.layers().end(),
                          [](const nn::Layer& l) { return l.spec.l2 > 0.0; })) {}

StepResult Stepper::step(const float* x, const float* onehot, const std::int32_t* labels, std::size_t B,
                         float learning_rate) {
  const nn::LossResult r = nn::forward_loss(network_, loss_, x, onehot, labels, B, true).loss;
  const double loss = r.loss + (has_l2_ ? network_.l2_penalty() : 0.0);
  if (std::isfinite(loss)) {
    network_.backward(x, B, fused_);
    float* params = network_.params().data();
    float* grads = network_.grads().data();
    optimizer_.begin_step(grads, learning_rate, network_.param_tensors());
    auto update_share = [&](int ith, int nth) {
      optimizer_.update(params, grads, kernels::split_range(optimizer_.param_count(), ith, nth, kernels::kLineFloats));
    };
    network_.workers().run(update_share);
  }
  return {loss, r.correct};
}

}  // namespace mnisttrain::train
