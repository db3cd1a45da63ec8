// Central-difference gradient checking against a double-precision reference; see gradcheck.h.
#include "nn/gradcheck.h"

#include "nn/objective.h"
#include "random.h"

#include <algorithm>
#include <cmath>

namespace mnisttrain::nn {


static void reference_activation(Activation act, std::vector<double>& y, std::size_t B, std::size_t C) {
  for (std::size_t r = 0; r < B; ++r) {
    double* row = y.data() + r * C;
    switch (act) {
      case Activation::Linear: break;
      case Activation::Relu: for (std::size_t c = 0; c < C; ++c) row[c] = std::max(row[c], 0.0); break;
      case Activation::Sigmoid: for (std::size_t c = 0; c < C; ++c) row[c] = 1.0 / (1.0 + std::exp(-row[c])); break;
      case Activation::Tanh: for (std::size_t c = 0; c < C; ++c) row[c] = std::tanh(row[c]); break;
      case Activation::Softmax: {
        const double max = *std::max_element(row, row + C);
        double sum = 0.0;
        for (std::size_t c = 0; c < C; ++c) sum += (row[c] = std::exp(row[c] - max));
        for (std::size_t c = 0; c < C; ++c) row[c] /= sum;
        break;
      }
    }
  }
}

double reference_loss(const Network& network, const std::vector<double>& params,
                      Loss loss, const float* x, const float* onehot,
                      const std::int32_t* labels, std::size_t B) {
  std::vector<double> in(x, x + B * network.input_features());
  double penalty = 0.0;
  for (std::size_t i = 0; i < network.layers().size(); ++i) {
    const Layer& layer = network.layers()[i];
    std::vector<double> out(B * layer.outputs, 0.0);
    switch (layer.spec.type) {
      case LayerType::Dense: {
        const double* w = params.data() + layer.weight_offset;
        for (std::size_t r = 0; r < B; ++r) {
          for (std::size_t o = 0; o < layer.outputs; ++o) {
            double z = layer.spec.use_bias ? params[layer.bias_offset + o] : 0.0;
            for (std::size_t k = 0; k < layer.inputs; ++k) z += in[r * layer.inputs + k] * w[k * layer.outputs + o];
            out[r * layer.outputs + o] = z;
          }
        }
        reference_activation(layer.spec.activation, out, B, layer.outputs);
        double sum = 0.0;
        for (std::size_t k = 0; k < layer.inputs * layer.outputs; ++k) sum += w[k] * w[k];
        penalty += layer.spec.l2 * sum;
        break;
      }
      case LayerType::Activation:
        out = in;
        reference_activation(layer.spec.activation, out, B, layer.outputs);
        break;
      case LayerType::Dropout: {
        const float* mask = network.dropout_mask(i);
        for (std::size_t k = 0; k < out.size(); ++k) out[k] = in[k] * mask[k];
        break;
      }
      case LayerType::Flatten: out = in; break;
    }
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
