// Floating-point operations per step; see flops.h.
#include "bench/flops.h"

namespace mnisttrain::bench {

namespace {

// Multiply-adds x 2 of the dense layers' products; the first layer's forward and weight
// gradient over `first_layer_inputs` input values in the batch (all B x inputs when null).
double products_flops(const nn::Network& network, std::size_t B, const double* first_layer_inputs) {
  double flops = 0.0;
  bool first = true;
  for (const nn::Layer& layer : network.layers()) {
    if (layer.spec.type != nn::LayerType::Dense) continue;
    const double inputs = first && first_layer_inputs ? *first_layer_inputs : static_cast<double>(B * layer.inputs);
    const double products = first ? 2 : 3;  // forward, weight gradient, and the input gradient after the first
    flops += products * 2.0 * inputs * static_cast<double>(layer.outputs);
    first = false;
  }
  return flops;
}

}  // namespace

double dense_flops_per_step(const nn::Network& network, std::size_t B) {
  return products_flops(network, B, nullptr);
}

double work_flops_per_step(const nn::Network& network, std::size_t B, double nonzero_inputs) {
  return products_flops(network, B, network.sparse_input() ? &nonzero_inputs : nullptr);
}

}  // namespace mnisttrain::bench
