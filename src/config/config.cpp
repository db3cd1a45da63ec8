// Parses and validates a JSON run description into Config. It stops at the first problem
// with one line naming the source, the JSON path and the offending value, before any work.
#include "config/config.h"

#include "error.h"
#include "io/json_text.h"
#include "text/format.h"
#include "text/suggest.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

namespace mnisttrain::config {

using nn::Activation;
using nn::Initializer;
using nn::LayerSpec;
using nn::LayerType;
using nn::Loss;
using nn::ModelSpec;
using optim::OptimizerSettings;
using optim::OptimizerType;
using optim::Schedule;
using optim::ScheduleType;

// Defined in config_checks.cpp. Declared here, not in config.h, because only the parser calls
// it; a mismatch between the two declarations fails at link time.
namespace detail {
void check_across_sections(const Config& config);
}

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Keys = std::vector<std::string>;

const std::vector<LayerType> kLayerTypes{LayerType::Dense, LayerType::Activation,
                                         LayerType::Dropout, LayerType::Flatten};
const std::vector<Activation> kActivations{Activation::Relu, Activation::Sigmoid, Activation::Tanh,
                                           Activation::Softmax, Activation::Linear};
const std::vector<Initializer> kInitializers{Initializer::GlorotUniform, Initializer::GlorotNormal,
                                             Initializer::HeUniform, Initializer::HeNormal,
                                             Initializer::Zeros};
const std::vector<Loss> kLosses{Loss::CategoricalCrossentropy, Loss::SparseCategoricalCrossentropy,
                                Loss::MeanSquaredError};
const std::vector<OptimizerType> kOptimizers{OptimizerType::Sgd, OptimizerType::Rmsprop,
                                             OptimizerType::Adam, OptimizerType::Adamw};
const std::vector<ScheduleType> kSchedules{ScheduleType::Constant, ScheduleType::Step,
                                           ScheduleType::Exponential, ScheduleType::Cosine};
const Keys kMonitors{"val_loss", "val_accuracy", "loss", "accuracy"};
const Keys kMetrics{"accuracy"};

// ---- message pieces ----

// ASCII-only and cut short, so that a message stays one readable line whatever the value.
std::string shown(const json& value) { return io::shown_json(value); }

std::string in_quotes(const std::string& text) { return shown(json(text)); }

std::string joined(const Keys& words, bool quote) {
  std::string out;
  for (const std::string& word : words) {
    if (!out.empty()) out += ", ";
    out += quote ? in_quotes(word) : word;
  }
  return out;
}

bool contains(const Keys& words, const std::string& word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

// "; did you mean "x"?" for the closest known word, or "" when none is close.
std::string suggestion(const std::string& word, const Keys& known) {
  const std::string best = text::closest_word(word, known);
  return best.empty() ? "" : "; did you mean " + in_quotes(best) + "?";
}

[[noreturn]] void fail(const std::string& source, const std::string& path,
                       const std::string& what) {
  throw Error(source + ": " + (path.empty() ? "" : path + ": ") + what);
}

// ---- typed reading of one JSON value, which knows where it sits for messages ----

struct Node {
  const json& value;
  std::string path;  // "model.layers[1].units"; empty for the document itself
  const std::string& source;

  Node child(const std::string& key) const {
    return {value.at(key), path.empty() ? key : path + "." + key, source};
  }
  Node item(std::size_t index) const {
    return {value.at(index), path + "[" + std::to_string(index) + "]", source};
  }
  [[noreturn]] void fail(const std::string& what) const { config::fail(source, path, what); }
  [[noreturn]] void expected(const std::string& what) const {
    fail("expected " + what + ", got " + shown(value));
  }
};

std::string read_string(const Node& node) {
  if (!node.value.is_string() || node.value.get_ref<const std::string&>().empty()) {
    node.expected("a non-empty string");
  }
  return node.value.get<std::string>();
}

// Names key the saved weights and appear in every summary line, so they stay short.
std::string read_layer_name(const Node& node) {
  std::string name = read_string(node);
  if (name.size() > kMaxLayerNameBytes) {
    node.expected("a name of at most " + std::to_string(kMaxLayerNameBytes) + " bytes");
  }
  return name;
}

// C0 controls, DEL and the C1 controls (U+0080..U+009F, 0xC2 0x80..0x9F in UTF-8): a name
// holding one would break the line or the table it is shown in.
bool has_control_character(const std::string& utf8) {
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto byte = static_cast<unsigned char>(utf8[i]);
    if (byte < 0x20 || byte == 0x7F) return true;
    if (byte == 0xC2 && i + 1 < utf8.size() && static_cast<unsigned char>(utf8[i + 1]) <= 0x9F) return true;
  }
  return false;
}

std::string read_class_name(const Node& node) {
  std::string name = read_string(node);
  if (text::characters(name) > kMaxClassNameCharacters) {
    node.expected("a name of at most " + std::to_string(kMaxClassNameCharacters) + " characters");
  }
  if (has_control_character(name)) node.expected("a name without control characters");
  return name;
}

std::vector<std::string> read_class_names(const Node& node, int num_classes) {
  const std::string count = std::to_string(num_classes);
  if (!node.value.is_array()) node.expected("an array of " + count + " class names");
  if (node.value.size() != static_cast<std::size_t>(num_classes)) {
    node.fail("expected " + count + " names (one per class), got " +
              std::to_string(node.value.size()));
  }
  std::vector<std::string> names;
  for (std::size_t i = 0; i < node.value.size(); ++i) names.push_back(read_class_name(node.item(i)));
  return names;
}

bool read_bool(const Node& node) {
  if (!node.value.is_boolean()) node.expected("true or false");
  return node.value.get<bool>();
}

// Integers must be written as integers: 512.0 is rejected rather than silently truncated.
long long read_integer(const Node& node, long long min, long long max) {
  const std::string what = min > 0 ? "a positive integer" : "a non-negative integer";
  if (!node.value.is_number_integer()) node.expected(what);
  if (node.value.is_number_unsigned()) {
    const unsigned long long value = node.value.get<unsigned long long>();
    if (value < static_cast<unsigned long long>(std::max(min, 0LL))) node.expected(what);
    if (value > static_cast<unsigned long long>(max))
      node.expected(what + " up to " + std::to_string(max));
    return static_cast<long long>(value);
  }
  const long long value = node.value.get<long long>();
  if (value < min) node.expected(what);
  if (value > max) node.expected(what + " up to " + std::to_string(max));
  return value;
}

int positive_int(const Node& node) { return static_cast<int>(read_integer(node, 1, INT_MAX)); }
int non_negative_int(const Node& node) { return static_cast<int>(read_integer(node, 0, INT_MAX)); }

unsigned long long read_seed(const Node& node) {
  if (node.value.is_number_unsigned()) return node.value.get<unsigned long long>();
  return static_cast<unsigned long long>(read_integer(node, 0, LLONG_MAX));  // fails as it should
}

// A range of allowed numbers; hi = infinity means no upper bound.
struct Bounds {
  double lo;
  bool lo_closed;
  double hi;
  bool hi_closed;
};
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr Bounds kPositive{0, false, kInf, false};
constexpr Bounds kNonNegative{0, true, kInf, false};
constexpr Bounds kFraction{0, true, 1, false};       // [0, 1): rates, splits, momenta
constexpr Bounds kClosedFraction{0, true, 1, true};  // [0, 1]: cosine floor
constexpr Bounds kDecayRate{0, false, 1, true};      // (0, 1]: a factor that decays

std::string number_text(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", x);
  return buffer;
}

std::string describe(const Bounds& b) {
  if (b.hi == kInf)
    return std::string("a number ") + (b.lo_closed ? ">= " : "> ") + number_text(b.lo);
  return std::string("a number in ") + (b.lo_closed ? "[" : "(") + number_text(b.lo) + ", " +
         number_text(b.hi) + (b.hi_closed ? "]" : ")");
}

double read_number(const Node& node, const Bounds& b) {
  if (!node.value.is_number()) node.expected(describe(b));
  const double x = node.value.get<double>();
  const bool above = b.lo_closed ? x >= b.lo : x > b.lo;
  const bool below = b.hi == kInf || (b.hi_closed ? x <= b.hi : x < b.hi);
  if (!std::isfinite(x) || !above || !below) node.expected(describe(b));
  return x;
}

// A positive number that training uses as a float32 must not round to 0 there (1e-50 would
// train nothing, or divide by zero, without a word).
auto float32_number(Bounds b) {
  return [b](const Node& node) {
    const double x = read_number(node, b);
    if (static_cast<float>(x) == 0.0f) node.fail(number_text(x) + " rounds to 0 as a float32");
    return x;
  };
}

// Binds the bounds, for use with `optional` below.
auto number(Bounds b) {
  return [b](const Node& node) { return read_number(node, b); };
}

std::size_t read_choice(const Node& node, const Keys& names) {
  const std::string what = "one of " + joined(names, true);
  if (!node.value.is_string()) node.expected(what);
  const std::string& text = node.value.get_ref<const std::string&>();
  const auto found = std::find(names.begin(), names.end(), text);
  if (found == names.end())
    node.fail("expected " + what + ", got " + shown(node.value) + suggestion(text, names));
  return static_cast<std::size_t>(found - names.begin());
}

template <typename Enum>
Enum read_enum(const Node& node, const std::vector<Enum>& values) {
  Keys names;
  for (Enum value : values) names.push_back(name_of(value));
  return values[read_choice(node, names)];
}

Activation read_activation(const Node& node) { return read_enum(node, kActivations); }
Initializer read_initializer(const Node& node) { return read_enum(node, kInitializers); }
Loss read_loss(const Node& node) { return read_enum(node, kLosses); }
std::string read_monitor(const Node& node) { return kMonitors[read_choice(node, kMonitors)]; }

// An object whose keys are checked against the known ones.
class Object {
 public:
  explicit Object(const Node& node) : node_(node) {
    if (!node_.value.is_object()) node_.expected("an object");
  }
  bool has(const std::string& key) const { return node_.value.contains(key); }
  Node operator[](const std::string& key) const { return node_.child(key); }  // present keys only
  Node required(const std::string& key) const {
    if (!has(key)) node_.fail("missing required key " + in_quotes(key));
    return node_.child(key);
  }
  // Every key must be in `known`. A key that belongs to another layer or optimizer type (in
  // `other_types`) gets its own message: suggesting a spelling would not help there.
  void check_keys(const Keys& known, const Keys& other_types = {},
                  const std::string& owner = "") const {
    for (const auto& member : node_.value.items()) {
      const std::string& key = member.key();
      if (contains(known, key)) continue;
      if (contains(other_types, key)) {
        node_.child(key).fail("not valid for " + owner + " (its keys: " + joined(known, false) +
                              ")");
      }
      node_.fail(in_quotes(key) + " is not a known key" + suggestion(key, known));
    }
  }

 private:
  Node node_;
};

template <typename T, typename Read>
void optional(const Object& object, const std::string& key, T& target, Read read) {
  if (object.has(key)) target = read(object[key]);
}

// Reads the "type" key that decides which other keys are valid. When it is missing, the keys
// are first checked against all types, so a misspelt "tpye" gets a suggestion.
template <typename Enum>
Enum read_type(const Object& object, const std::vector<Enum>& types, const Keys& all_keys) {
  if (!object.has("type")) object.check_keys(all_keys);
  return read_enum(object.required("type"), types);
}

// ---- sections ----

// A relative path in a file is relative to that file's folder, so a config works from any
// working directory; absolute paths are kept as written.
std::string resolve(const std::string& path, const std::string& base_dir) {
  const fs::path p(path);
  if (p.is_absolute() || base_dir.empty()) return p.lexically_normal().string();
  return (fs::path(base_dir) / p).lexically_normal().string();
}

// Absent paths keep default_config()'s standard MNIST names under data/mnist/, relative to
// the working directory (not to the config file): the layout scripts/fetch_mnist.sh creates.
DataConfig parse_data(const Node& node, const std::string& base_dir) {
  const Object o(node);
  o.check_keys({"train_images", "train_labels", "test_images", "test_labels", "validation_split",
                "num_classes", "transpose", "class_names"});
  DataConfig data = default_config().data;
  for (auto [key, target] :
       {std::pair{"train_images", &data.train_images},
        std::pair{"train_labels", &data.train_labels}, std::pair{"test_images", &data.test_images},
        std::pair{"test_labels", &data.test_labels}}) {
    if (o.has(key)) *target = resolve(read_string(o[key]), base_dir);
  }
  optional(o, "validation_split", data.validation_split, number(kFraction));
  // Labels are uint8 in IDX files, so at most 256 classes can occur.
  optional(o, "num_classes", data.num_classes,
           [](const Node& node) { return static_cast<int>(read_integer(node, 1, 256)); });
  optional(o, "transpose", data.transpose, read_bool);
  optional(o, "class_names", data.class_names,
           [&](const Node& node) { return read_class_names(node, data.num_classes); });
  return data;
}

Keys layer_keys(LayerType type) {
  switch (type) {
    case LayerType::Dense:
      return {"type", "name", "units", "activation", "use_bias", "kernel_initializer", "l2"};
    case LayerType::Activation: return {"type", "name", "activation"};
    case LayerType::Dropout: return {"type", "name", "rate"};
    case LayerType::Flatten: return {"type", "name"};
  }
  return {};
}

const Keys kAllLayerKeys{"type", "name", "units", "activation", "use_bias", "kernel_initializer",
                         "l2",   "rate"};

LayerSpec parse_layer(const Node& node) {
  const Object o(node);
  LayerSpec layer;
  layer.type = read_type(o, kLayerTypes, kAllLayerKeys);
  o.check_keys(layer_keys(layer.type), kAllLayerKeys,
               "a " + in_quotes(name_of(layer.type)) + " layer");
  optional(o, "name", layer.name, read_layer_name);
  switch (layer.type) {
    case LayerType::Dense:
      layer.units = positive_int(o.required("units"));
      optional(o, "activation", layer.activation, read_activation);  // Keras: linear
      optional(o, "use_bias", layer.use_bias, read_bool);
      optional(o, "kernel_initializer", layer.kernel_initializer, read_initializer);
      optional(o, "l2", layer.l2, number(kNonNegative));
      break;
    case LayerType::Activation: layer.activation = read_activation(o.required("activation")); break;
    case LayerType::Dropout: layer.rate = read_number(o.required("rate"), kFraction); break;
    case LayerType::Flatten: break;
  }
  return layer;
}

ModelSpec parse_model(const Node& node) {
  const Object o(node);
  o.check_keys({"input_shape", "layers"});
  ModelSpec model;
  if (o.has("input_shape")) {
    const Node shape = o["input_shape"];
    if (!shape.value.is_array() || shape.value.empty())
      shape.expected("a non-empty array of positive integers");
    for (std::size_t i = 0; i < shape.value.size(); ++i)
      model.input_shape.push_back(positive_int(shape.item(i)));
  }
  const Node layers = o.required("layers");
  if (!layers.value.is_array() || layers.value.empty())
    layers.expected("a non-empty array of layers");
  for (std::size_t i = 0; i < layers.value.size(); ++i) {
    model.layers.push_back(parse_layer(layers.item(i)));
    // Layer names key the saved weights, so two layers may not share one.
    const std::string& name = model.layers[i].name;
    for (std::size_t j = 0; j < i && !name.empty(); ++j) {
      if (model.layers[j].name == name) {
        layers.item(i).child("name").fail(
            in_quotes(name) + " is already the name of model.layers[" + std::to_string(j) + "]");
      }
    }
  }
  return model;
}

const Keys kAllScheduleKeys{"type", "decay_steps", "decay_rate", "alpha"};

Schedule parse_schedule(const Node& node) {
  const Object o(node);
  Schedule schedule;
  schedule.type = read_type(o, kSchedules, kAllScheduleKeys);
  const bool decays =
      schedule.type == ScheduleType::Step || schedule.type == ScheduleType::Exponential;
  const Keys keys = decays ? Keys{"type", "decay_steps", "decay_rate"}
                    : schedule.type == ScheduleType::Cosine ? Keys{"type", "decay_steps", "alpha"}
                                                            : Keys{"type"};
  o.check_keys(keys, kAllScheduleKeys, "the " + in_quotes(name_of(schedule.type)) + " schedule");
  if (decays) {
    // As in Keras's ExponentialDecay, both are required: there is no sensible default.
    schedule.decay_steps = static_cast<long>(read_integer(o.required("decay_steps"), 1, LONG_MAX));
    schedule.decay_rate = read_number(o.required("decay_rate"), kDecayRate);
  } else if (schedule.type == ScheduleType::Cosine) {
    if (o.has("decay_steps"))
      schedule.decay_steps = static_cast<long>(read_integer(o["decay_steps"], 0, LONG_MAX));
    optional(o, "alpha", schedule.alpha, number(kClosedFraction));
  }
  return schedule;
}

Keys optimizer_keys(OptimizerType type) {
  Keys keys{"type", "learning_rate"};
  switch (type) {
    case OptimizerType::Sgd: keys.insert(keys.end(), {"momentum", "nesterov"}); break;
    case OptimizerType::Rmsprop: keys.insert(keys.end(), {"rho", "momentum", "epsilon"}); break;
    case OptimizerType::Adam: keys.insert(keys.end(), {"beta_1", "beta_2", "epsilon"}); break;
    case OptimizerType::Adamw:
      keys.insert(keys.end(), {"beta_1", "beta_2", "epsilon", "weight_decay"});
      break;
  }
  keys.insert(keys.end(), {"clipnorm", "schedule"});
  return keys;
}

const Keys kAllOptimizerKeys{"type",         "learning_rate", "momentum", "nesterov",
                             "rho",          "beta_1",        "beta_2",   "epsilon",
                             "weight_decay", "clipnorm",      "schedule"};

OptimizerSettings parse_optimizer(const Node& node) {
  const Object o(node);
  OptimizerSettings optimizer;  // the struct's defaults are Keras's, except for these two
  optimizer.type = read_type(o, kOptimizers, kAllOptimizerKeys);
  optimizer.learning_rate = optimizer.type == OptimizerType::Sgd ? 0.01 : 0.001;
  optimizer.weight_decay = optimizer.type == OptimizerType::Adamw ? 0.004 : 0.0;
  o.check_keys(optimizer_keys(optimizer.type), kAllOptimizerKeys,
               "the " + in_quotes(name_of(optimizer.type)) + " optimizer");
  // check_keys let through only this type's keys, so reading whatever is present is safe.
  optional(o, "learning_rate", optimizer.learning_rate, float32_number(kPositive));
  optional(o, "momentum", optimizer.momentum, number(kFraction));
  optional(o, "nesterov", optimizer.nesterov, read_bool);
  optional(o, "rho", optimizer.rho, number(kFraction));
  optional(o, "beta_1", optimizer.beta_1, number(kFraction));
  optional(o, "beta_2", optimizer.beta_2, number(kFraction));
  optional(o, "epsilon", optimizer.epsilon, float32_number(kPositive));
  optional(o, "weight_decay", optimizer.weight_decay, number(kNonNegative));
  optional(o, "clipnorm", optimizer.clipnorm, number(kNonNegative));
  optional(o, "schedule", optimizer.schedule, parse_schedule);
  return optimizer;
}

EarlyStoppingConfig parse_early_stopping(const Node& node) {
  const Object o(node);
  o.check_keys({"monitor", "patience", "min_delta", "restore_best_weights"});
  EarlyStoppingConfig early;
  early.enabled = true;  // the object's presence is the switch
  optional(o, "monitor", early.monitor, read_monitor);
  optional(o, "patience", early.patience, non_negative_int);
  optional(o, "min_delta", early.min_delta, number(kNonNegative));
  optional(o, "restore_best_weights", early.restore_best_weights, read_bool);
  return early;
}

SaveBestConfig parse_save_best(const Node& node) {
  const Object o(node);
  o.check_keys({"monitor"});
  SaveBestConfig save;
  save.enabled = true;
  optional(o, "monitor", save.monitor, read_monitor);
  return save;
}

std::vector<std::string> parse_metrics(const Node& node) {
  if (!node.value.is_array()) node.expected("an array of metric names");
  std::vector<std::string> metrics;
  for (std::size_t i = 0; i < node.value.size(); ++i) {
    const Node item = node.item(i);
    const std::string name = kMetrics[read_choice(item, kMetrics)];
    if (contains(metrics, name)) item.fail(in_quotes(name) + " is listed twice");
    metrics.push_back(name);
  }
  return metrics;
}

TrainingConfig parse_training(const Node& node) {
  const Object o(node);
  o.check_keys({"optimizer", "loss", "metrics", "epochs", "batch_size", "seed", "shuffle",
                "threads", "early_stopping", "save_best"});
  TrainingConfig training;
  optional(o, "optimizer", training.optimizer, parse_optimizer);
  optional(o, "loss", training.loss, read_loss);
  optional(o, "metrics", training.metrics, parse_metrics);
  optional(o, "epochs", training.epochs, positive_int);
  optional(o, "batch_size", training.batch_size, positive_int);
  optional(o, "seed", training.seed, read_seed);
  optional(o, "shuffle", training.shuffle, read_bool);
  optional(o, "threads", training.threads, non_negative_int);
  optional(o, "early_stopping", training.early_stopping, parse_early_stopping);
  optional(o, "save_best", training.save_best, parse_save_best);
  return training;
}

}  // namespace

Config parse_config(const nlohmann::json& document, const std::string& source,
                    const std::string& base_dir, Purpose purpose) {
  const Object o(Node{document, "", source});
  o.check_keys({"data", "model", "training", "output"});
  Config config;
  config.source = source;
  config.data = o.has("data") ? parse_data(o["data"], base_dir) : default_config().data;
  config.model = parse_model(o.required("model"));
  optional(o, "training", config.training, parse_training);
  // Required, unlike the rest: configs sharing a default run folder would overwrite each other.
  if (purpose == Purpose::Train || o.has("output")) {
    config.output = read_string(o.required("output"));
  }

  detail::check_across_sections(config);
  return config;
}

void apply_overrides(Config& config, const Overrides& overrides) {
  TrainingConfig& training = config.training;
  const auto check = [](const json& value, const std::string& flag, auto read) {
    return read(Node{value, "", flag});
  };
  if (overrides.epochs) training.epochs = check(*overrides.epochs, "--epochs", positive_int);
  if (overrides.batch_size) {
    training.batch_size = check(*overrides.batch_size, "--batch-size", positive_int);
  }
  if (overrides.learning_rate) {
    training.optimizer.learning_rate =
        check(*overrides.learning_rate, "--learning-rate", float32_number(kPositive));
  }
  if (overrides.seed) training.seed = check(*overrides.seed, "--seed", read_seed);
  if (overrides.threads) training.threads = check(*overrides.threads, "--threads", non_negative_int);
  if (overrides.output) config.output = check(*overrides.output, "--out", read_string);
}

}  // namespace mnisttrain::config
