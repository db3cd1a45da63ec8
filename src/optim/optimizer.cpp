// Update rules (Keras 3):
//   sgd:      m = momentum*m - lr*g;  w += m   (nesterov: w += momentum*m - lr*g);  no momentum: w -= lr*g
//   rmsprop:  v = rho*v + (1-rho)*g^2;  inc = lr*g / sqrt(v + eps);  w -= inc
//             (momentum > 0: mom = momentum*mom + inc;  w -= mom)
//   adam:     m += (g - m)(1 - b1);  v += (g^2 - v)(1 - b2);
//             w -= lr*sqrt(1 - b2^t)/(1 - b1^t) * m / (sqrt(v) + eps)
//   adamw:    w -= w*weight_decay*lr, then adam (decoupled decay)
#include "optim/optimizer.h"

#include "error.h"
#include "kernels/update.h"

#include <cmath>

namespace mnisttrain::optim {

std::size_t moments_per_parameter(const OptimizerSettings& c) {
  switch (c.type) {
    case OptimizerType::Sgd: return c.momentum > 0.0 ? 1 : 0;
    case OptimizerType::Rmsprop: return c.momentum > 0.0 ? 2 : 1;
    case OptimizerType::Adam:
    case OptimizerType::Adamw: return 2;
  }
  return 0;
}

Optimizer::Optimizer(const OptimizerSettings& settings, std::size_t param_count)
    : settings_(settings), n_(param_count), state_(moments_per_parameter(settings) * param_count, 0.0f) {}

static void clip_by_norm(float* grads, const std::vector<nn::ParamTensor>& tensors,
                         double clipnorm) {
  for (const nn::ParamTensor& t : tensors) {
    double sum = 0.0;
    for (std::size_t i = 0; i < t.size; ++i) sum += static_cast<double>(grads[t.offset + i]) * grads[t.offset + i];
    const double norm = std::sqrt(sum);
    if (norm <= clipnorm) continue;
    const auto scale = static_cast<float>(clipnorm / norm);
    for (std::size_t i = 0; i < t.size; ++i) grads[t.offset + i] *= scale;
  }
}

void Optimizer::step(float* w, float* g, float lr, const std::vector<nn::ParamTensor>& tensors) {
  begin_step(g, lr, tensors);
  update(w, g, {0, n_});
}

void Optimizer::begin_step(float* g, float lr, const std::vector<nn::ParamTensor>& tensors) {
  if (settings_.clipnorm > 0.0) clip_by_norm(g, tensors, settings_.clipnorm);
  ++iterations_;
  lr_ = lr;
  if (settings_.type == OptimizerType::Adam || settings_.type == OptimizerType::Adamw) {
    // Keras folds Adam's bias correction into the step size.
    const double t = static_cast<double>(iterations_);
    const double b1 = settings_.beta_1, b2 = settings_.beta_2;
    adam_alpha_ = static_cast<float>(lr * std::sqrt(1.0 - std::pow(b2, t)) / (1.0 - std::pow(b1, t)));
  }
}

void Optimizer::update(float* params, const float* grads, kernels::Range range) {
  update_slice(params, grads + range.begin, range.begin, range.size());
}

void Optimizer::update_slice(float* params, const float* gradient, std::size_t first, std::size_t n) {
  float* w = params + first;
  const float* g = gradient;
  // Only the moments this optimizer has (plain SGD has none: no pointer into an empty buffer).
  float* moment1 = state_.size() >= n_ && !state_.empty() ? state_.data() + first : nullptr;  // m, or v (rmsprop)
  float* moment2 = state_.size() >= 2 * n_ && !state_.empty() ? state_.data() + n_ + first : nullptr;  // v (adam), momentum (rmsprop)
  const float lr = lr_;
  const auto eps = static_cast<float>(settings_.epsilon);
  switch (settings_.type) {
    case OptimizerType::Sgd:
      if (settings_.momentum <= 0.0) {
        kernels::sgd_update(w, g, n, lr);
      } else {
        kernels::sgd_momentum_update(w, g, moment1, n, lr, static_cast<float>(settings_.momentum),
                                     settings_.nesterov);
      }
      return;
    case OptimizerType::Rmsprop:
      if (settings_.momentum <= 0.0) {
        kernels::rmsprop_update(w, g, moment1, n, lr, static_cast<float>(settings_.rho), eps);
      } else {
        kernels::rmsprop_momentum_update(w, g, moment1, moment2, n, lr, static_cast<float>(settings_.rho),
                                         eps, static_cast<float>(settings_.momentum));
      }
      return;
    case OptimizerType::Adam:
    case OptimizerType::Adamw:
      if (settings_.type == OptimizerType::Adamw && settings_.weight_decay > 0.0) {
        kernels::decay_weights(w, n, static_cast<float>(settings_.weight_decay) * lr);
      }
      kernels::adam_update(w, g, moment1, moment2, n, adam_alpha_, static_cast<float>(1.0 - settings_.beta_1),
                           static_cast<float>(1.0 - settings_.beta_2), eps);
      return;
  }
}

std::optional<kernels::RmspropVectors> Optimizer::rmsprop_vectors(float* params, std::size_t first) {
  if (settings_.type != OptimizerType::Rmsprop || settings_.momentum > 0.0) return std::nullopt;
  return kernels::RmspropVectors{params + first, state_.data() + first, lr_, static_cast<float>(settings_.rho),
                                 static_cast<float>(settings_.epsilon)};
}

double learning_rate_at(const OptimizerSettings& settings, std::int64_t step,
                        std::int64_t total_steps) {
  const Schedule& s = settings.schedule;
  const double lr0 = settings.learning_rate;
  const auto t = static_cast<double>(step);
  switch (s.type) {
    case ScheduleType::Constant: return lr0;
    case ScheduleType::Step:
      return lr0 * std::pow(s.decay_rate, std::floor(t / static_cast<double>(s.decay_steps)));
    case ScheduleType::Exponential:
      return lr0 * std::pow(s.decay_rate, t / static_cast<double>(s.decay_steps));
    case ScheduleType::Cosine: {
      // Keras CosineDecay: lr0 * ((1 - alpha) * 0.5 * (1 + cos(pi * min(t, T) / T)) + alpha).
      const double T = static_cast<double>(s.decay_steps > 0 ? s.decay_steps : total_steps);
      const double progress = T > 0 ? std::min(t, T) / T : 1.0;
      const double cosine = 0.5 * (1.0 + std::cos(3.14159265358979323846 * progress));
      return lr0 * ((1.0 - s.alpha) * cosine + s.alpha);
    }
  }
  throw Error("unknown learning-rate schedule");
}

}  // namespace mnisttrain::optim
