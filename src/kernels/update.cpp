// Optimizer updates; see update.h. Plain loops: the compiler vectorizes them.
#include "kernels/update.h"

#include "kernels/vec.h"

#include <cmath>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

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
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = rho * v[i] + (1.0f - rho) * g[i] * g[i];
    w[i] -= lr * g[i] / std::sqrt(v[i] + eps);
  }
}

namespace {

// Whether any of kChunk = 16 gradients is non-zero (a NaN counts as non-zero): one vector
// compare where there is AVX-512, as the plain loop of compares and a branch cost as much as
// the update itself.
inline bool any_nonzero(const float* g) {
#if defined(__AVX512F__)
  return _mm512_cmp_ps_mask(_mm512_loadu_ps(g), _mm512_setzero_ps(), _CMP_NEQ_UQ) != 0;
#else
  bool any = false;
  for (std::size_t k = 0; k < 16; ++k) any |= g[k] != 0.0f;
  return any;
#endif
}

}  // namespace

void rmsprop_update(float* __restrict w, const float* __restrict g, float* __restrict v,
                    std::size_t n, float lr, float rho, float eps) {
  // Kernel rows of pixels that are blank in the whole batch have zero gradients (a third of the
  // first layer on MNIST). For them the rule leaves w as it is and v = rho * v exactly, so the
  // square root and the division are skipped, chunk by chunk, with the same result.
  constexpr std::size_t kChunk = 16;
  std::size_t i = 0;
  for (; i + kChunk <= n; i += kChunk) {
    if (any_nonzero(g + i)) {
      rmsprop_elements(w + i, g + i, v + i, kChunk, lr, rho, eps);
    } else {
      for (std::size_t k = 0; k < kChunk; k += kLanes) store(v + i + k, rho * load(v + i + k));
    }
  }
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
