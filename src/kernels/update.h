// The optimizers' element-wise updates (Keras 3 rules) over n contiguous parameters, so an
// update can run on any share of the parameter buffer: every element's new value depends only
// on its own weight, gradient and moments, never on how the buffer is split between threads.
// These loops vectorize only because the build passes -fno-math-errno (std::sqrt would
// otherwise keep a branch to set errno in the loop).
#pragma once

#include "kernels/vec.h"

#include <cstddef>

namespace mnisttrain::kernels {

// w -= lr * g
void sgd_update(float* w, const float* g, std::size_t n, float lr);
// m = mu*m - lr*g;  w += m   (nesterov: w += mu*m - lr*g)
void sgd_momentum_update(float* w, const float* g, float* m, std::size_t n, float lr, float mu,
                         bool nesterov);
// v = rho*v + (1-rho)*g^2;  w -= lr*g / sqrt(v + eps)
void rmsprop_update(float* w, const float* g, float* v, std::size_t n, float lr, float rho, float eps);
// The same rule on one vector of kLanes parameters (kernels/vec.h) at w + offset and v +
// offset: what rmsprop_update does to each whole vector, and what a kernel that updates the
// weights as it makes their gradient applies itself (kernels/sparse_dense.h), with the same
// bits. A vector whose gradient is all zero (a pixel blank in the whole batch) only decays v,
// and w stays: exactly what the rule gives, without the square root and the division.
struct RmspropVectors {
  float* w;
  float* v;
  float lr, rho, eps;

  void update(std::size_t offset, Vec g) const {
    const Vec old_v = load(v + offset);
    if (!any_nonzero(g)) {
      store(v + offset, rho * old_v);
      return;
    }
    // As rmsprop_elements: (1 - rho) * g * g rounded, then fused into rho * v.
    const Vec rho_lanes = Vec{} + rho;
    const Vec new_v = fma_lanes(rho_lanes, old_v, ((1.0f - rho) * g) * g);
    store(v + offset, new_v);
    store(w + offset, load(w + offset) - (lr * g) / sqrt_lanes(new_v + eps));
  }
};
// The same rule as a plain loop over every element: what rmsprop_update does past its last
// whole vector, and the reference it is tested against.
void rmsprop_elements(float* w, const float* g, float* v, std::size_t n, float lr, float rho, float eps);
// as rmsprop, then mom = mu*mom + lr*g/sqrt(v + eps);  w -= mom
void rmsprop_momentum_update(float* w, const float* g, float* v, float* mom, std::size_t n, float lr,
                             float rho, float eps, float mu);
// m += (g - m)(1 - b1);  v += (g^2 - v)(1 - b2);  w -= alpha * m / (sqrt(v) + eps), where alpha
// already holds lr and the bias correction of this step.
void adam_update(float* w, const float* g, float* m, float* v, std::size_t n, float alpha,
                 float one_minus_b1, float one_minus_b2, float eps);
// AdamW's decoupled decay: w -= w * decay
void decay_weights(float* w, std::size_t n, float decay);

}  // namespace mnisttrain::kernels
