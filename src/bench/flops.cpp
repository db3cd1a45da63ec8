// Floating-point operations per step; see flops.h.
#include "bench/flops.h"

namespace mnisttrain::bench {

namespace {

// Multiply-adds x 2 of the dense layers' products; a layer that skips the zero pixels over
// `nonzero_inputs` input values in the batch (when given), the others over all B x inputs.
double products_flops(const nn::Network& network, std::size_t B, const double* nonzero_inputs) {
  double flops = 0.0;
  for (std::size_t i = 0; i < network.layers().size(); ++i) {
    const nn::Layer& layer = network.layers()[i];
    if (layer.spec.type != nn::LayerType::Dense) continue;
    const double outputs = static_cast<double>(layer.outputs);
    const double inputs = nonzero_inputs && network.skips_zero_inputs(i) ? *nonzero_inputs : static_cast<double>(B * layer.inputs);
    flops += 2 * 2.0 * inputs * outputs;  // forward and weight gradient
    if (network.computes_input_gradient(i)) flops += 2.0 * static_cast<double>(B * layer.inputs) * outputs;
  }
  return flops;
}

}  // namespace

double dense_flops_per_step(const nn::Network& network, std::size_t B) {
  return products_flops(network, B, nullptr);
}

double work_flops_per_step(const nn::Network& network, std::size_t B, double nonzero_inputs) {
  return products_flops(network, B, &nonzero_inputs);
}

}  // namespace mnisttrain::bench
