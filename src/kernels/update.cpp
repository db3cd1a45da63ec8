// Optimizer updates; see update.h. Plain loops that the compiler vectorizes, and RMSprop's
// vectors (update.h).
#include "kernels/update.h"

#include "kernels/vec.h"

#include <cmath>

namespace mnisttrain::kernels {

void sgd_update(float* __restrict w, const float* __restrict g, std::size_t n, float lr) {
  for (std::size_t i = 0; i < n; ++i) w[i] -= lr * g[i];
}

void sgd_momentum_update(float* __restrict w, const float* __restrict g, float* __restrict m,
                         std::size_t n, float lr, float mu, bool nesterov) {
  if (nesterov) {
    for (std::size_t i = 0; i < n; ++i) {
      m[i] = mu * m[i] - lr * g[i];
      w[i] += mu * m[i] - lr * g[i];
    }
    return;
  }
  for (std::size_t i = 0; i < n; ++i) {
    m[i] = mu * m[i] - lr * g[i];
    w[i] += m[i];
  }
}

void rmsprop_elements(float* __restrict w, const float* __restrict g, float* __restrict v,
                      std::size_t n, float lr, float rho, float eps) {
  // The fused multiply-add spelled out: what GCC makes of rho * v + ... when it optimizes for a
  // CPU with FMA, and then the same at any optimization level (RmspropVectors does the same).
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = std::fma(rho, v[i], (1.0f - rho) * g[i] * g[i]);
    w[i] -= lr * g[i] / std::sqrt(v[i] + eps);
  }
}

void rmsprop_update(float* __restrict w, const float* __restrict g, float* __restrict v,
                    std::size_t n, float lr, float rho, float eps) {
  // Kernel rows of pixels that are blank in the whole batch have zero gradients (a third of the
  // first layer on MNIST): RmspropVectors skips the square root and the division there.
  const RmspropVectors rule{w, v, lr, rho, eps};
  std::size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) rule.update(i, load(g + i));
  rmsprop_elements(w + i, g + i, v + i, n - i, lr, rho, eps);
}

void rmsprop_momentum_update(float* __restrict w, const float* __restrict g, float* __restrict v,
                             float* __restrict mom, std::size_t n, float lr, float rho, float eps,
                             float mu) {
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = rho * v[i] + (1.0f - rho) * g[i] * g[i];
    mom[i] = mu * mom[i] + lr * g[i] / std::sqrt(v[i] + eps);
    w[i] -= mom[i];
  }
}

void adam_update(float* __restrict w, const float* __restrict g, float* __restrict m,
                 float* __restrict v, std::size_t n, float alpha, float one_minus_b1,
                 float one_minus_b2, float eps) {
  for (std::size_t i = 0; i < n; ++i) {
    m[i] += (g[i] - m[i]) * one_minus_b1;
    v[i] += (g[i] * g[i] - v[i]) * one_minus_b2;
    w[i] -= alpha * m[i] / (std::sqrt(v[i]) + eps);
  }
}

void decay_weights(float* __restrict w, std::size_t n, float decay) {
  for (std::size_t i = 0; i < n; ++i) w[i] -= w[i] * decay;
}

}  // namespace mnisttrain::kernels
