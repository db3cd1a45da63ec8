// What describing a network without training it needs (summary, gradcheck, bench): the input
// shape the data would give it, the work and memory a training step costs, and samples to
// check gradients on.
#pragma once

#include "config/config.h"
#include "data/dataset.h"
#include "nn/network.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mnisttrain::train {

// The training images' (rows, cols) read from their IDX header when the file exists (as
// training would see them), else model.input_shape, else MNIST's 28x28.
std::vector<int> input_shape_for(const config::Config& config);

// Where a layer's parameter count comes from, as summary and the report explain it:
// "(784 + 1) x 512: inputs plus one bias, times units, then relu", "drops 20% of units in
// training", ...; empty for a layer with nothing to explain (flatten).
std::string layer_explanation(const nn::Layer& layer);

// What one training step costs, counted as the notes teach it by hand.
struct StepCost {
  // Per sample; a multiply-add counts 2. Backward: dW = X^T dZ for every dense layer, and
  // dX = dZ W^T for all but the first (its input is the data).
  double forward_flops = 0.0;
  double backward_flops = 0.0;
  std::size_t params = 0;
  std::size_t moments = 0;              // optimizer moments per parameter
  std::size_t activation_floats = 0;    // per sample: the input, every layer's output and its
                                        // gradient (2 x (input + outputs))
  std::uint64_t param_bytes = 0;        // and as many again for the gradients
  std::uint64_t optimizer_bytes = 0;
  std::uint64_t activation_bytes = 0;   // at the batch size
};

StepCost step_cost(const nn::Network& network, const optim::OptimizerSettings& optimizer,
                   std::size_t batch_size);

// Samples to check gradients or time steps on: the first `count` training samples, or random
// pixels and labels of the input shape when random_inputs is set or the data cannot be read
// (then `fallback` says why).
struct TrainingSamples {
  data::Dataset samples;
  std::string fallback;
};
TrainingSamples training_samples(const config::Config& config, std::size_t count,
                                   std::uint64_t seed, bool random_inputs);

}  // namespace mnisttrain::train
