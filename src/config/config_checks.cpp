// Validation that spans sections of a parsed config: the output layer against the class count
// and the loss, and the callbacks against the values the training loop will compute.
#include "config/config.h"

#include "error.h"

#include <algorithm>
#include <string>

namespace mnisttrain::config {

using nn::Activation;
using nn::LayerSpec;
using nn::LayerType;
using nn::Loss;
namespace {

[[noreturn]] void fail(const Config& config, const std::string& path, const std::string& what) {
  throw Error(config.source + ": " + path + ": " + what);
}

std::string in_quotes(const std::string& text) { return nlohmann::json(text).dump(); }

std::string layer_path(std::size_t index, const std::string& key) {
  return "model.layers[" + std::to_string(index) + "]." + key;
}

void check_output_layer(const Config& config) {
  const std::vector<LayerSpec>& layers = config.model.layers;
  // The last dense layer produces the network's output: one unit per class.
  std::size_t last_dense = layers.size();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].type == LayerType::Dense) last_dense = i;
  }
  if (last_dense == layers.size()) {
    fail(config, "model.layers",
         "expected at least one dense layer (the last one has one unit per class)");
  }
  if (layers[last_dense].units != config.data.num_classes) {
    fail(config, layer_path(last_dense, "units"),
         "expected " + std::to_string(config.data.num_classes) + " units (one per class), got " +
             std::to_string(layers[last_dense].units));
  }
  // Crossentropy reads the output as probabilities, so it must come out of a softmax; mean
  // squared error works on any output. Dropout and flatten leave the activation as it is.
  if (config.training.loss == Loss::MeanSquaredError) return;
  for (std::size_t i = layers.size(); i-- > 0;) {
    if (layers[i].type != LayerType::Dense && layers[i].type != LayerType::Activation) continue;
    if (layers[i].activation != Activation::Softmax) {
      fail(config, layer_path(i, "activation"),
           "training.loss " + in_quotes(name_of(config.training.loss)) +
               " needs a softmax output, got " + in_quotes(name_of(layers[i].activation)));
    }
    return;
  }
}

// A callback watching a value that is never computed would silently do nothing.
void check_monitor(const Config& config, const std::string& path, const std::string& monitor) {
  if (monitor.rfind("val_", 0) == 0 && config.data.validation_split <= 0.0) {
    fail(config, path,
         in_quotes(monitor) + " needs validation data; set data.validation_split above 0");
  }
  const std::vector<std::string>& metrics = config.training.metrics;
  if (monitor.find("accuracy") != std::string::npos &&
      std::find(metrics.begin(), metrics.end(), "accuracy") == metrics.end()) {
    fail(config, path, in_quotes(monitor) + " needs \"accuracy\" in training.metrics");
  }
}

}  // namespace

namespace detail {

void check_across_sections(const Config& config) {
  check_output_layer(config);
  const TrainingConfig& training = config.training;
  if (training.early_stopping.enabled) {
    check_monitor(config, "training.early_stopping.monitor", training.early_stopping.monitor);
  }
  if (training.save_best.enabled) {
    check_monitor(config, "training.save_best.monitor", training.save_best.monitor);
  }
}

}  // namespace detail
}  // namespace mnisttrain::config
