// The optimizers' element-wise updates (Keras 3 rules) over n contiguous parameters, so an
// update can run on any share of the parameter buffer: every element's new value depends only
// on its own weight, gradient and moments, never on how the buffer is split between threads.
// These loops vectorize only because the build passes -fno-math-errno (std::sqrt would
// otherwise keep a branch to set errno in the loop).
#pragma once

#include <cstddef>

namespace mnisttrain::kernels {

// w -= lr * g
void sgd_update(float* w, const float* g, std::size_t n, float lr);
// m = mu*m - lr*g;  w += m   (nesterov: w += mu*m - lr*g)
void sgd_momentum_update(float* w, const float* g, float* m, std::size_t n, float lr, float mu,
                         bool nesterov);
// v = rho*v + (1-rho)*g^2;  w -= lr*g / sqrt(v + eps)
void rmsprop_update(float* w, const float* g, float* v, std::size_t n, float lr, float rho, float eps);
// The same rule as a plain loop over every element: what rmsprop_update does to chunks with a
// non-zero gradient, and the reference it is tested against.
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
