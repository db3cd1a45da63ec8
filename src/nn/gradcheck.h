// Gradient checking the way the notes compute a derivative: perturb one parameter by +-h and
// take (f(x+h) - f(x-h)) / 2h. The loss f is recomputed by a plain double-precision reference
// forward pass (not the float BLAS path), so the check also pins the fast kernels against a
// naive one. Dropout masks are replayed from the analytic pass.
#pragma once

#include "nn/network.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mnisttrain::nn {

struct TensorCheck {
  std::string name;
  std::size_t checked = 0;   // parameters compared
  double max_abs_error = 0.0;
  double max_rel_error = 0.0;  // |analytic - numeric| / max(|analytic|, |numeric|, 1e-6)
};

struct GradcheckResult {
  std::vector<TensorCheck> tensors;
  double max_rel_error = 0.0;
};

struct GradcheckOptions {
  std::size_t per_tensor = 32;  // parameters sampled per tensor; 0 checks all
  double step = 1e-4;           // h, in double
  std::uint64_t seed = 0;       // which parameters are sampled
  // Test hook: alters the analytic gradient before comparison, to prove the check can fail.
  std::function<void(std::vector<float>& grads)> corrupt;
};

// x (B, features), onehot (B, classes), labels (B). Runs one training-mode forward/backward on
// `network` and compares its gradients against central differences.
GradcheckResult gradient_check(Network& network, Loss loss, const float* x,
                               const float* onehot, const std::int32_t* labels, std::size_t B,
                               const GradcheckOptions& options);

// The reference loss in double precision at the given parameters (mean over the batch plus the
// L2 term), using the dropout masks of the network's last training forward.
double reference_loss(const Network& network, const std::vector<double>& params,
                      Loss loss, const float* x, const float* onehot,
                      const std::int32_t* labels, std::size_t B);

}  // namespace mnisttrain::nn
