// One training step; see step.h.
#include "train/step.h"

#include "nn/loss.h"

#include <algorithm>
#include <cmath>

namespace mnisttrain::train {

Stepper::Stepper(nn::Network& network, const config::TrainingConfig& training)
    : network_(network),
      loss_(training.loss),
      optimizer_(training.optimizer, network.param_count()),
      fused_(nn::fuses_with_softmax(training.loss) && network.ends_in_softmax()),
      has_l2_(std::any_of(network.layers().begin(), network.layers().end(),
                          [](const nn::Layer& l) { return l.spec.l2 > 0.0; })) {
  for (const auto& t : network.param_tensors()) tensors_.push_back({t.offset, t.size});
}

StepResult Stepper::step(const float* x, const float* onehot, const std::int32_t* labels, std::size_t B,
                         float learning_rate) {
  const float* out = network_.forward(x, B, true);
  const nn::LossResult r = nn::compute_loss(loss_, out, onehot, labels, B, network_.output_features(),
                                            network_.output_grad(), fused_);
  const double loss = r.loss + (has_l2_ ? network_.l2_penalty() : 0.0);
  if (std::isfinite(loss)) {
    network_.backward(x, B, fused_);
    optimizer_.step(network_.params().data(), network_.grads().data(), learning_rate, tensors_);
  }
  return {loss, r.correct};
}

}  // namespace mnisttrain::train
