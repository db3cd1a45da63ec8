// Describing a network without training it; see describe.h.
#include "train/describe.h"

#include "text/format.h"

#include <cstdio>

#include "checked_size.h"
#include "error.h"
#include "optim/optimizer.h"
#include "train/config_data.h"

#include <algorithm>
#include <filesystem>

namespace mnisttrain::train {

std::string layer_explanation(const nn::Layer& layer) {
  const nn::LayerSpec& spec = layer.spec;
  switch (spec.type) {
    case nn::LayerType::Dense: {
      std::string why = spec.use_bias ? "(" + text::with_commas(layer.inputs) + " + 1) x " +
                                            text::with_commas(layer.outputs) + ": inputs plus one bias, times units"
                                      : text::with_commas(layer.inputs) + " x " + text::with_commas(layer.outputs) +
                                            ": no bias";
      if (spec.activation != nn::Activation::Linear) why += std::string(", then ") + nn::name_of(spec.activation);
      return why;
    }
    case nn::LayerType::Dropout: {
      char text[64];
      std::snprintf(text, sizeof text, "drops %.0f%% of units in training", spec.rate * 100);
      return text;
    }
    case nn::LayerType::Activation: return nn::name_of(spec.activation);
    case nn::LayerType::Flatten: return "";
  }
  return "";
}

std::vector<int> input_shape_for(const config::Config& config) {
  std::error_code ignored;
  if (std::filesystem::exists(config.data.train_images, ignored)) {
    return loaded_image_shape(config.data, config.data.train_images);
  }
  return config.model.input_shape.empty() ? std::vector<int>{28, 28} : config.model.input_shape;
}

StepCost step_cost(const nn::Network& network, const optim::OptimizerSettings& optimizer,
                   std::size_t batch_size) {
  StepCost cost;
  std::size_t activations = network.input_features();
  bool first_dense = true;
  for (const nn::Layer& layer : network.layers()) {
    activations += layer.outputs;
    if (layer.spec.type != nn::LayerType::Dense) continue;
    const double macs = static_cast<double>(layer.inputs * layer.outputs);
    cost.forward_flops += 2 * macs;
    cost.backward_flops += (first_dense ? 2 : 4) * macs;
    first_dense = false;
  }
  cost.params = network.param_count();
  cost.moments = optim::moments_per_parameter(optimizer);
  cost.activation_floats = 2 * activations;
  cost.param_bytes = cost.params * sizeof(float);
  cost.optimizer_bytes = cost.moments * cost.param_bytes;
  cost.activation_bytes =
      checked_mul(checked_mul(cost.activation_floats, batch_size, "activation memory"), sizeof(float),
                  "activation memory");
  return cost;
}

TrainingSamples training_samples(const config::Config& config, std::size_t count,
                                   std::uint64_t seed, bool random_inputs) {
  TrainingSamples result;
  const config::DataConfig& data = config.data;
  if (!random_inputs) {
    try {
      const data::Dataset all = load_labelled(data, data.train_images, data.train_labels);
      if (all.count > 0) result.samples = data::take(all, 0, std::min(count, all.count));
    } catch (const Error& e) {
      result.fallback = e.what();
    }
  }
  if (result.samples.count == 0) {
    const std::vector<int> shape = input_shape_for(config);
    result.samples = data::random_dataset(count, shape.size() > 1 ? shape[0] : 1, shape.back(),
                                          data.num_classes, seed);
  }
  return result;
}

}  // namespace mnisttrain::train
