// Update rules (Keras 3):
//   sgd:      m = momentum*m - lr*g;  w += m   (nesterov: w += momentum*m - lr*g);  no momentum: w -= lr*g
//   rmsprop:  v = rho*v + (1-rho)*g^2;  inc = lr*g / sqrt(v + eps);  w -= inc
//             (momentum > 0: mom = momentum*mom + inc;  w -= mom)
//   adam:     m += (g - m)(1 - b1);  v += (g^2 - v)(1 - b2);
//             w -= lr*sqrt(1 - b2^t)/(1 - b1^t) * m / (sqrt(v) + eps)
//   adamw:    w -= w*weight_decay*lr, then adam (decoupled decay)
#include "optim/optimizer.h"

#include "error.h"

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
  if (settings_.clipnorm > 0.0) clip_by_norm(g, tensors, settings_.clipnorm);
  ++iterations_;
  const std::size_t n = n_;
  switch (settings_.type) {
    case OptimizerType::Sgd: {
      if (settings_.momentum <= 0.0) {
        for (std::size_t i = 0; i < n; ++i) w[i] -= lr * g[i];
        break;
      }
      const auto mu = static_cast<float>(settings_.momentum);
      float* m = state_.data();
      if (settings_.nesterov) {
        for (std::size_t i = 0; i < n; ++i) {
          m[i] = mu * m[i] - lr * g[i];
          w[i] += mu * m[i] - lr * g[i];
        }
      } else {
        for (std::size_t i = 0; i < n; ++i) {
          m[i] = mu * m[i] - lr * g[i];
          w[i] += m[i];
        }
      }
      break;
    }
    case OptimizerType::Rmsprop: {
      const auto rho = static_cast<float>(settings_.rho);
      const auto eps = static_cast<float>(settings_.epsilon);
      float* v = state_.data();
      if (settings_.momentum <= 0.0) {
        for (std::size_t i = 0; i < n; ++i) {
          v[i] = rho * v[i] + (1.0f - rho) * g[i] * g[i];
          w[i] -= lr * g[i] / std::sqrt(v[i] + eps);
        }
      } else {
        const auto mu = static_cast<float>(settings_.momentum);
        float* mom = state_.data() + n;
        for (std::size_t i = 0; i < n; ++i) {
          v[i] = rho * v[i] + (1.0f - rho) * g[i] * g[i];
          mom[i] = mu * mom[i] + lr * g[i] / std::sqrt(v[i] + eps);
          w[i] -= mom[i];
        }
      }
      break;
    }
    case OptimizerType::Adam:
    case OptimizerType::Adamw: {
      if (settings_.type == OptimizerType::Adamw && settings_.weight_decay > 0.0) {
        const auto decay = static_cast<float>(settings_.weight_decay) * lr;
        for (std::size_t i = 0; i < n; ++i) w[i] -= w[i] * decay;
      }
      const double t = static_cast<double>(iterations_);
      const double b1 = settings_.beta_1, b2 = settings_.beta_2;
      const auto alpha =
          static_cast<float>(lr * std::sqrt(1.0 - std::pow(b2, t)) / (1.0 - std::pow(b1, t)));
      const auto one_minus_b1 = static_cast<float>(1.0 - b1);
      const auto one_minus_b2 = static_cast<float>(1.0 - b2);
      const auto eps = static_cast<float>(settings_.epsilon);
      float* m = state_.data();
      float* v = state_.data() + n;
      for (std::size_t i = 0; i < n; ++i) {
        m[i] += (g[i] - m[i]) * one_minus_b1;
        v[i] += (g[i] * g[i] - v[i]) * one_minus_b2;
        w[i] -= alpha * m[i] / (std::sqrt(v[i]) + eps);
      }
      break;
    }
  }
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
