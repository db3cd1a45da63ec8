// The JSON run description: data paths, the layer list, the optimizer and its schedule, the
// training loop's settings and callbacks, and the output folder. Parsing validates everything
// before any work starts; every error names the file and the JSON path of the bad value.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace mnisttrain::config {

enum class LayerType { Dense, Activation, Dropout, Flatten };
enum class Activation { Linear, Relu, Sigmoid, Tanh, Softmax };
enum class Initializer { GlorotUniform, GlorotNormal, HeUniform, HeNormal, Zeros };
enum class Loss { CategoricalCrossentropy, SparseCategoricalCrossentropy, MeanSquaredError };
enum class OptimizerType { Sgd, Rmsprop, Adam, Adamw };
enum class ScheduleType { Constant, Step, Exponential, Cosine };

struct DataConfig {
  // Relative paths in the file are resolved against the config file's folder.
  std::string train_images;
  std::string train_labels;
  std::string test_images;
  std::string test_labels;
  double validation_split = 0.0;  // last fraction of the training set, taken before shuffling
  int num_classes = 10;
};

struct LayerConfig {
  LayerType type = LayerType::Dense;
  std::string name;  // empty: named by the network ("dense", "dense_1", ...)
  // dense
  int units = 0;
  bool use_bias = true;
  Initializer kernel_initializer = Initializer::GlorotUniform;
  double l2 = 0.0;
  // dense (fused, default linear) and activation layers
  Activation activation = Activation::Linear;
  // dropout
  double rate = 0.0;
};

struct ModelConfig {
  std::vector<int> input_shape;  // empty: taken from the data (28x28 for MNIST)
  std::vector<LayerConfig> layers;
};

struct ScheduleConfig {
  ScheduleType type = ScheduleType::Constant;
  // All schedules count optimizer steps (batches), as Keras's LearningRateSchedule does.
  long decay_steps = 0;     // step/exponential: required > 0; cosine: 0 means "all of training"
  double decay_rate = 0.0;  // step: lr0 * rate^floor(t/steps); exponential: lr0 * rate^(t/steps)
  double alpha = 0.0;       // cosine: floor as a fraction of lr0
};

struct OptimizerConfig {
  OptimizerType type = OptimizerType::Rmsprop;
  // Keras defaults, filled in by the parser per optimizer type when a key is absent.
  double learning_rate = 0.001;
  double momentum = 0.0;       // sgd, rmsprop
  bool nesterov = false;       // sgd
  double rho = 0.9;            // rmsprop
  double beta_1 = 0.9;         // adam, adamw
  double beta_2 = 0.999;       // adam, adamw
  double epsilon = 1e-7;       // rmsprop, adam, adamw
  double weight_decay = 0.0;   // adamw (default 0.004 there)
  double clipnorm = 0.0;       // 0: off; otherwise clip each tensor's gradient norm (Keras)
  ScheduleConfig schedule;
};

struct EarlyStoppingConfig {
  bool enabled = false;
  std::string monitor = "val_loss";  // loss, accuracy, val_loss, val_accuracy
  int patience = 0;
  double min_delta = 0.0;
  bool restore_best_weights = false;
};

struct SaveBestConfig {
  bool enabled = false;
  std::string monitor = "val_loss";
};

struct TrainingConfig {
  OptimizerConfig optimizer;
  Loss loss = Loss::CategoricalCrossentropy;
  std::vector<std::string> metrics{"accuracy"};
  int epochs = 5;
  int batch_size = 128;
  unsigned long long seed = 42;
  bool shuffle = true;
  int threads = 0;  // 0: OpenBLAS's default (all cores)
  EarlyStoppingConfig early_stopping;
  SaveBestConfig save_best;
};

struct Config {
  std::string source;  // the config file's path, or "<built-in>"
  DataConfig data;
  ModelConfig model;
  TrainingConfig training;
  std::string output = "runs/mnist_mlp";  // run folder, relative to the working directory
};

// Parses and validates. `source` names the file in messages; `base_dir` resolves relative data
// paths. Throws mnisttrain::Error("<source>: <json.path>: <what was wrong>").
Config parse_config(const nlohmann::json& document, const std::string& source,
                    const std::string& base_dir);
// Reads the file (a missing file, unreadable file or JSON syntax error is an Error naming it).
Config load_config(const std::string& path);
// The Keras book network with data from data/mnist/ (relative to the working directory).
Config default_config();
// The config back as JSON, every default filled in (recorded in summary.json and model files).
nlohmann::json to_json(const Config& config);

// Names as they appear in JSON ("relu", "glorot_uniform", ...), for messages and summaries.
const char* name_of(LayerType type);
const char* name_of(Activation activation);
const char* name_of(Initializer initializer);
const char* name_of(Loss loss);
const char* name_of(OptimizerType type);
const char* name_of(ScheduleType type);

}  // namespace mnisttrain::config
