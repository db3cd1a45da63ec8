// The JSON run description: data paths, the layer list, the optimizer and its schedule, the
// training loop's settings and callbacks, and the output folder. Parsing validates everything
// before any work starts; every error names the file and the JSON path of the bad value.
#pragma once

#include "nn/spec.h"
#include "optim/settings.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mnisttrain::config {

struct DataConfig {
  // Relative paths in the file are resolved against the config file's folder.
  std::string train_images;
  std::string train_labels;
  std::string test_images;
  std::string test_labels;
  double validation_split = 0.0;  // last fraction of the training set, taken before shuffling
  int num_classes = 10;
  bool transpose = false;  // images stored with rows and columns swapped (EMNIST)
  std::vector<std::string> class_names;  // one per class, for display; empty: classes by index
};

// Class names appear in tables and captions, so they are short and fit on one line.
constexpr std::size_t kMaxClassNameCharacters = 32;

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
  optim::OptimizerSettings optimizer;
  nn::Loss loss = nn::Loss::CategoricalCrossentropy;
  std::vector<std::string> metrics{"accuracy"};
  int epochs = 5;
  int batch_size = 128;
  unsigned long long seed = 42;
  bool shuffle = true;
  int threads = 0;  // 0: OpenBLAS's default (all cores)
  EarlyStoppingConfig early_stopping;
  SaveBestConfig save_best;
};

// Layer names key the saved weights and appear in messages and summaries.
constexpr std::size_t kMaxLayerNameBytes = 256;

struct Config {
  std::string source;  // the config file's path, or "<built-in>"
  DataConfig data;
  nn::ModelSpec model;
  TrainingConfig training;
  std::string output = "runs/mnist_mlp";  // run folder, relative to the working directory
};

// What a config is read for. Training uses every section; describing a network (summary,
// gradcheck, bench) may leave out `output`, which it never uses. Any field that is present is
// judged the same way for both.
enum class Purpose { Train, Describe };

// Parses and validates. `source` names the file in messages; `base_dir` resolves relative data
// paths. Throws mnisttrain::Error("<source>: <json.path>: <what was wrong>").
Config parse_config(const nlohmann::json& document, const std::string& source,
                    const std::string& base_dir, Purpose purpose = Purpose::Train);
// Config files are a few kB; anything far larger is a mistake, refused before reading it.
constexpr std::uint64_t kMaxConfigBytes = 1u << 20;
// Reads the file (a missing file, unreadable file or JSON syntax error is an Error naming it).
Config load_config(const std::string& path, Purpose purpose = Purpose::Train);

// Command-line values that replace config fields; unset ones leave the config as it is.
struct Overrides {
  std::optional<int> epochs;
  std::optional<int> batch_size;
  std::optional<double> learning_rate;
  std::optional<unsigned long long> seed;
  std::optional<int> threads;
  std::optional<std::string> output;
};
// Each value is checked by the same rule as its JSON key, and a refusal names the flag
// ("--epochs: expected a positive integer, got 0").
void apply_overrides(Config& config, const Overrides& overrides);

// The Keras book network with data from data/mnist/ (relative to the working directory).
Config default_config();
// The config back as JSON, every default filled in except data.transpose and data.class_names,
// which appear only when set (recorded in summary.json and model files).
nlohmann::json to_json(const Config& config);

}  // namespace mnisttrain::config
