// The built-in config (the Keras book's chapter-2 network) and Config back to JSON, in the
// exact shape parse_config reads, so a recorded config can be re-run as it is.
#include "config/config.h"

namespace mnisttrain::config {

using nn::Activation;
using nn::LayerSpec;
using nn::LayerType;
using optim::OptimizerSettings;
using optim::OptimizerType;
using optim::Schedule;
using optim::ScheduleType;
namespace {

using nlohmann::json;

LayerSpec dense(int units, Activation activation) {
  LayerSpec layer;
  layer.type = LayerType::Dense;
  layer.units = units;
  layer.activation = activation;
  return layer;
}

json layer_json(const LayerSpec& layer) {
  json j = json::object();
  j["type"] = name_of(layer.type);
  // An empty name means "named by the network"; JSON spells that by leaving the key out.
  if (!layer.name.empty()) j["name"] = layer.name;
  switch (layer.type) {
    case LayerType::Dense:
      j["units"] = layer.units;
      j["activation"] = name_of(layer.activation);
      j["use_bias"] = layer.use_bias;
      j["kernel_initializer"] = name_of(layer.kernel_initializer);
      j["l2"] = layer.l2;
      break;
    case LayerType::Activation: j["activation"] = name_of(layer.activation); break;
    case LayerType::Dropout: j["rate"] = layer.rate; break;
    case LayerType::Flatten: break;
  }
  return j;
}

json schedule_json(const Schedule& schedule) {
  json j = json::object();
  j["type"] = name_of(schedule.type);
  switch (schedule.type) {
    case ScheduleType::Constant: break;
    case ScheduleType::Step:
    case ScheduleType::Exponential:
      j["decay_steps"] = schedule.decay_steps;
      j["decay_rate"] = schedule.decay_rate;
      break;
    case ScheduleType::Cosine:
      j["decay_steps"] = schedule.decay_steps;
      j["alpha"] = schedule.alpha;
      break;
  }
  return j;
}

// Only the keys of the chosen type: the parser rejects the others (e.g. "rho" on adam).
json optimizer_json(const OptimizerSettings& optimizer) {
  json j = json::object();
  j["type"] = name_of(optimizer.type);
  j["learning_rate"] = optimizer.learning_rate;
  switch (optimizer.type) {
    case OptimizerType::Sgd:
      j["momentum"] = optimizer.momentum;
      j["nesterov"] = optimizer.nesterov;
      break;
    case OptimizerType::Rmsprop:
      j["rho"] = optimizer.rho;
      j["momentum"] = optimizer.momentum;
      j["epsilon"] = optimizer.epsilon;
      break;
    case OptimizerType::Adam:
    case OptimizerType::Adamw:
      j["beta_1"] = optimizer.beta_1;
      j["beta_2"] = optimizer.beta_2;
      j["epsilon"] = optimizer.epsilon;
      if (optimizer.type == OptimizerType::Adamw) j["weight_decay"] = optimizer.weight_decay;
      break;
  }
  j["clipnorm"] = optimizer.clipnorm;
  j["schedule"] = schedule_json(optimizer.schedule);
  return j;
}

json training_json(const TrainingConfig& training) {
  json j = json::object();
  j["optimizer"] = optimizer_json(training.optimizer);
  j["loss"] = name_of(training.loss);
  j["metrics"] = training.metrics;
  j["epochs"] = training.epochs;
  j["batch_size"] = training.batch_size;
  j["seed"] = training.seed;
  j["shuffle"] = training.shuffle;
  j["threads"] = training.threads;
  // The presence of these objects is what enables the callbacks.
  if (training.early_stopping.enabled) {
    const EarlyStoppingConfig& early = training.early_stopping;
    j["early_stopping"] = {{"monitor", early.monitor},
                           {"patience", early.patience},
                           {"min_delta", early.min_delta},
                           {"restore_best_weights", early.restore_best_weights}};
  }
  if (training.save_best.enabled) {
    j["save_best"] = {{"monitor", training.save_best.monitor}};
  }
  return j;
}

}  // namespace

Config default_config() {
  Config config;
  config.source = "<built-in>";
  // Relative to the working directory: there is no config file to resolve against.
  config.data.train_images = "data/mnist/train-images-idx3-ubyte";
  config.data.train_labels = "data/mnist/train-labels-idx1-ubyte";
  config.data.test_images = "data/mnist/t10k-images-idx3-ubyte";
  config.data.test_labels = "data/mnist/t10k-labels-idx1-ubyte";
  config.model.layers = {dense(512, Activation::Relu), dense(10, Activation::Softmax)};
  // The struct defaults are already the book's: rmsprop at 0.001, categorical crossentropy,
  // accuracy, 5 epochs of batch 128, seed 42.
  config.output = "runs/mnist_mlp";
  return config;
}

nlohmann::json to_json(const Config& config) {
  json data = json::object();
  data["train_images"] = config.data.train_images;
  data["train_labels"] = config.data.train_labels;
  data["test_images"] = config.data.test_images;
  data["test_labels"] = config.data.test_labels;
  data["validation_split"] = config.data.validation_split;
  data["num_classes"] = config.data.num_classes;
  // Written only when set: a config without them records exactly what it did before they
  // existed, and a model that needs them is refused by a version that would ignore them.
  if (config.data.transpose) data["transpose"] = true;
  if (!config.data.class_names.empty()) data["class_names"] = config.data.class_names;

  json model = json::object();
  // An empty shape means "taken from the data", spelled by leaving the key out.
  if (!config.model.input_shape.empty()) model["input_shape"] = config.model.input_shape;
  model["layers"] = json::array();
  for (const LayerSpec& layer : config.model.layers) model["layers"].push_back(layer_json(layer));

  // `source` is not written: it describes where a config came from, not the run itself.
  // Data paths are written as resolved, so read the result back with an empty base_dir.
  json document = json::object();
  document["data"] = data;
  document["model"] = model;
  document["training"] = training_json(config.training);
  document["output"] = config.output;
  return document;
}

}  // namespace mnisttrain::config
