// Central-difference gradient checking against a double-precision reference; see gradcheck.h.
#include "nn/gradcheck.h"

#include "nn/objective.h"
#include "random.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace mnisttrain::nn {

double reference_loss(const Network& network, const std::vector<double>& params, Loss loss,
                      const float* x, const float* onehot, const std::int32_t* labels,
                      std::size_t B) {
  std::vector<double> in(x, x + B * network.input_features());
  double penalty = 0.0;
  for (std::size_t i = 0; i < network.layers().size(); ++i) {
    const Layer& layer = network.layers()[i];
    std::vector<double> out(B * layer.outputs, 0.0);
    penalty += layer_forward_reference(out.data(), in.data(), params.data(),
                                       network.dropout_mask(i), layer, B);
    in = std::move(out);
  }
  const std::size_t C = network.output_features();
  double total = 0.0;
  for (std::size_t r = 0; r < B; ++r) {
    if (loss == Loss::MeanSquaredError) {
      for (std::size_t c = 0; c < C; ++c) {
        const double d = in[r * C + c] - onehot[r * C + c];
        total += d * d / static_cast<double>(C);
      }
    } else {
      const double p = in[r * C + static_cast<std::size_t>(labels[r])];
      total -= std::log(std::clamp(p, 1e-7, 1.0 - 1e-7));
    }
  }
  return total / static_cast<double>(B) + penalty;
}

GradcheckResult gradient_check(Network& network, Loss loss, const float* x,
                               const float* onehot, const std::int32_t* labels, std::size_t B,
                               const GradcheckOptions& options) {
  network.reserve(B);
  forward_loss(network, loss, x, onehot, labels, B, true);
  network.backward(x, B, fused_gradient(network, loss));
  std::vector<float> analytic = network.grads();
  if (options.corrupt) options.corrupt(analytic);

  std::vector<double> params(network.params().begin(), network.params().end());
  Rng rng(options.seed);
  GradcheckResult result;
  for (const ParamTensor& t : network.param_tensors()) {
    TensorCheck check;
    check.name = t.name;
    const std::size_t count = options.per_tensor == 0 ? t.size : std::min(options.per_tensor, t.size);
    for (std::size_t s = 0; s < count; ++s) {
      const std::size_t index = t.offset + (count == t.size ? s : rng.below(t.size));
      const double saved = params[index];
      params[index] = saved + options.step;
      const double plus = reference_loss(network, params, loss, x, onehot, labels, B);
      params[index] = saved - options.step;
      const double minus = reference_loss(network, params, loss, x, onehot, labels, B);
      params[index] = saved;
      const double numeric = (plus - minus) / (2.0 * options.step);
      const double a = analytic[index];
      const double abs_error = std::fabs(a - numeric);
      const double rel_error = abs_error / std::max({std::fabs(a), std::fabs(numeric), 1e-6});
      check.max_abs_error = std::max(check.max_abs_error, abs_error);
      check.max_rel_error = std::max(check.max_rel_error, rel_error);
      ++check.checked;
    }
    result.max_rel_error = std::max(result.max_rel_error, check.max_rel_error);
    result.tensors.push_back(check);
  }
  return result;
}

}  // namespace mnisttrain::nn
