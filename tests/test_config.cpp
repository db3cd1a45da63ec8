// The config parser: defaults, Keras optimizer defaults, path resolution, the to_json round
// trip, each error message word for word, and that every shipped configs/*.json loads.
#include "config/config.h"
#include "error.h"

#include <catch2/catch.hpp>

#include <cmath>

#include <filesystem>
#include <fstream>
#include <string>

using namespace mnisttrain::config;
using mnisttrain::nn::Activation;
using mnisttrain::nn::Initializer;
using mnisttrain::nn::LayerSpec;
using mnisttrain::nn::LayerType;
using mnisttrain::nn::Loss;
using mnisttrain::optim::OptimizerSettings;
using mnisttrain::optim::OptimizerType;
using mnisttrain::optim::ScheduleType;
using nlohmann::json;

namespace {

// The smallest valid document: the book's network and an output folder.
json minimal() {
  return json::parse(R"({
    "model": {"layers": [{"type": "dense", "units": 512, "activation": "relu"},
                         {"type": "dense", "units": 10, "activation": "softmax"}]},
    "output": "runs/test"
  })");
}

Config parse(const json& document) { return parse_config(document, "configs/x.json", "configs"); }

// The message of the Error that parsing throws, so a failed CHECK shows both strings.
std::string error_of(const json& document) {
  try {
    parse(document);
  } catch (const mnisttrain::Error& e) {
    return e.what();
  }
  return "<no error>";
}

std::string load_error(const std::string& path) {
  try {
    load_config(path);
  } catch (const mnisttrain::Error& e) {
    return e.what();
  }
  return "<no error>";
}

// A file in the temp folder holding `text`, removed when the test ends.
struct TempFile {
  std::string path;
  TempFile(const std::string& name, const std::string& text)
      : path((std::filesystem::temp_directory_path() / name).string()) {
    std::ofstream(path) << text;
  }
  ~TempFile() { std::filesystem::remove(path); }
};

const std::string kSourceDir = MNISTTRAIN_SOURCE_DIR;

}  // namespace

TEST_CASE("default_config is the Keras book network", "[config]") {
  const Config c = default_config();
  CHECK(c.source == "<built-in>");
  CHECK(c.data.train_images == "data/mnist/train-images-idx3-ubyte");
  CHECK(c.data.train_labels == "data/mnist/train-labels-idx1-ubyte");
  CHECK(c.data.test_images == "data/mnist/t10k-images-idx3-ubyte");
  CHECK(c.data.test_labels == "data/mnist/t10k-labels-idx1-ubyte");
  CHECK(c.data.validation_split == 0.0);
  CHECK(c.data.num_classes == 10);
  CHECK(c.model.input_shape.empty());
  REQUIRE(c.model.layers.size() == 2);
  CHECK(c.model.layers[0].type == LayerType::Dense);
  CHECK(c.model.layers[0].units == 512);
  CHECK(c.model.layers[0].activation == Activation::Relu);
  CHECK(c.model.layers[1].units == 10);
  CHECK(c.model.layers[1].activation == Activation::Softmax);
  CHECK(c.training.optimizer.type == OptimizerType::Rmsprop);
  CHECK(c.training.optimizer.learning_rate == 0.001);
  CHECK(c.training.loss == Loss::CategoricalCrossentropy);
  CHECK(c.training.metrics == std::vector<std::string>{"accuracy"});
  CHECK(c.training.epochs == 5);
  CHECK(c.training.batch_size == 128);
  CHECK(c.training.seed == 42);
  CHECK(c.output == "runs/mnist_mlp");
}

TEST_CASE("absent keys take their defaults", "[config]") {
  const Config c = parse(minimal());
  CHECK(c.source == "configs/x.json");
  // Absent data paths are the standard names relative to the working directory.
  CHECK(c.data.train_images == "data/mnist/train-images-idx3-ubyte");
  CHECK(c.data.num_classes == 10);
  const LayerSpec& dense = c.model.layers[0];
  CHECK(dense.use_bias);
  CHECK(dense.kernel_initializer == Initializer::GlorotUniform);
  CHECK(dense.l2 == 0.0);
  CHECK(dense.name.empty());
  CHECK(c.training.optimizer.type == OptimizerType::Rmsprop);
  CHECK(c.training.optimizer.schedule.type == ScheduleType::Constant);
  CHECK(c.training.epochs == 5);
  CHECK(c.training.batch_size == 128);
  CHECK(c.training.seed == 42);
  CHECK(c.training.shuffle);
  CHECK(c.training.threads == 0);
  CHECK_FALSE(c.training.early_stopping.enabled);
  CHECK_FALSE(c.training.save_best.enabled);

  json dense_only = minimal();
  dense_only["model"]["layers"][0] = {{"type", "dense"}, {"units", 8}};
  CHECK(parse(dense_only).model.layers[0].activation == Activation::Linear);  // as in Keras
}

TEST_CASE("each optimizer type gets the Keras defaults", "[config]") {
  auto optimizer = [](const char* type) {
    json doc = minimal();
    doc["training"]["optimizer"] = {{"type", type}};
    return parse(doc).training.optimizer;
  };
  const OptimizerSettings sgd = optimizer("sgd");
  CHECK(sgd.type == OptimizerType::Sgd);
  CHECK(sgd.learning_rate == 0.01);
  CHECK(sgd.momentum == 0.0);
  CHECK_FALSE(sgd.nesterov);

  const OptimizerSettings rmsprop = optimizer("rmsprop");
  CHECK(rmsprop.learning_rate == 0.001);
  CHECK(rmsprop.rho == 0.9);
  CHECK(rmsprop.momentum == 0.0);
  CHECK(rmsprop.epsilon == 1e-7);

  for (const char* type : {"adam", "adamw"}) {
    const OptimizerSettings adam = optimizer(type);
    CHECK(adam.learning_rate == 0.001);
    CHECK(adam.beta_1 == 0.9);
    CHECK(adam.beta_2 == 0.999);
    CHECK(adam.epsilon == 1e-7);
  }
  CHECK(optimizer("adam").weight_decay == 0.0);
  CHECK(optimizer("adamw").type == OptimizerType::Adamw);
  CHECK(optimizer("adamw").weight_decay == 0.004);
  CHECK(optimizer("adam").clipnorm == 0.0);

  json doc = minimal();
  doc["training"]["optimizer"] = {
      {"type", "sgd"}, {"learning_rate", 0.1}, {"momentum", 0.9}, {"nesterov", true}};
  const OptimizerSettings set = parse(doc).training.optimizer;
  CHECK(set.learning_rate == 0.1);
  CHECK(set.momentum == 0.9);
  CHECK(set.nesterov);
}

TEST_CASE("relative data paths resolve against the config's folder", "[config]") {
  json doc = minimal();
  doc["data"] = {{"train_images", "../data/mnist/train-images-idx3-ubyte"},
                 {"train_labels", "labels/train.idx"},
                 {"test_images", "/abs/t10k-images"}};
  CHECK(parse_config(doc, "configs/x.json", "configs").data.train_images ==
        "data/mnist/train-images-idx3-ubyte");
  const Config c = parse_config(doc, "/cfg/x.json", "/cfg");
  CHECK(c.data.train_images == "/data/mnist/train-images-idx3-ubyte");
  CHECK(c.data.train_labels == "/cfg/labels/train.idx");
  CHECK(c.data.test_images == "/abs/t10k-images");                   // absolute: kept
  CHECK(c.data.test_labels == "data/mnist/t10k-labels-idx1-ubyte");  // absent: the default
  CHECK(parse_config(doc, "x.json", "").data.train_labels == "labels/train.idx");
}

TEST_CASE("to_json round-trips through parse_config", "[config]") {
  auto round_trip = [](const Config& c) {
    const json once = to_json(c);
    const Config back = parse_config(once, "<round-trip>", "");
    CHECK(to_json(back) == once);
    return back;
  };
  round_trip(default_config());

  // Every layer, optimizer and schedule type, and both callbacks.
  json doc = json::parse(R"({
    "data": {"train_images": "/d/a", "train_labels": "/d/b", "test_images": "/d/c",
             "test_labels": "/d/e", "validation_split": 0.1, "num_classes": 3},
    "model": {"input_shape": [28, 28], "layers": [
      {"type": "flatten"},
      {"type": "dense", "units": 16, "name": "hidden", "use_bias": false,
       "kernel_initializer": "he_uniform", "l2": 0.0001},
      {"type": "activation", "activation": "tanh"},
      {"type": "dropout", "rate": 0.5},
      {"type": "dense", "units": 3, "activation": "sigmoid", "kernel_initializer": "zeros"}]},
    "training": {"loss": "mean_squared_error", "metrics": [], "epochs": 2, "batch_size": 32,
                 "seed": 18446744073709551615, "shuffle": false, "threads": 1,
                 "early_stopping": {"monitor": "val_loss", "patience": 3, "min_delta": 0.001,
                                    "restore_best_weights": true},
                 "save_best": {"monitor": "loss"}},
    "output": "runs/all"
  })");
  const Config back = round_trip(parse(doc));
  CHECK(back.model.input_shape == std::vector<int>{28, 28});
  CHECK(back.model.layers[1].name == "hidden");
  CHECK_FALSE(back.model.layers[1].use_bias);
  CHECK(back.model.layers[1].l2 == 0.0001);
  CHECK(back.model.layers[3].rate == 0.5);
  CHECK(back.training.seed == 18446744073709551615ULL);
  CHECK(back.training.early_stopping.enabled);
  CHECK(back.training.early_stopping.patience == 3);
  CHECK(back.training.early_stopping.restore_best_weights);
  CHECK(back.training.save_best.enabled);
  CHECK(back.training.save_best.monitor == "loss");

  const json optimizers[] = {
      {{"type", "sgd"}, {"momentum", 0.5}, {"nesterov", true}, {"clipnorm", 1.0}},
      {{"type", "rmsprop"},
       {"schedule", {{"type", "step"}, {"decay_steps", 100}, {"decay_rate", 0.5}}}},
      {{"type", "adam"},
       {"schedule", {{"type", "exponential"}, {"decay_steps", 10}, {"decay_rate", 0.9}}}},
      {{"type", "adamw"},
       {"weight_decay", 0.01},
       {"schedule", {{"type", "cosine"}, {"alpha", 0.1}}}}};
  for (const json& optimizer : optimizers) {
    json with = minimal();
    with["training"]["optimizer"] = optimizer;
    round_trip(parse(with));
  }
}

TEST_CASE("wrong types name the path and show the value", "[config]") {
  json doc = minimal();
  doc["model"]["layers"][1]["units"] = "abc";
  CHECK(error_of(doc) ==
        R"(configs/x.json: model.layers[1].units: expected a positive integer, got "abc")");
  doc = minimal();
  doc["model"]["layers"][0]["units"] = 512.5;
  CHECK(error_of(doc) ==
        "configs/x.json: model.layers[0].units: expected a positive integer, got 512.5");
  doc = minimal();
  doc["training"]["shuffle"] = "yes";
  CHECK(error_of(doc) == R"(configs/x.json: training.shuffle: expected true or false, got "yes")");
  doc = minimal();
  doc["data"] = {{"train_images", 5}};
  CHECK(error_of(doc) == "configs/x.json: data.train_images: expected a non-empty string, got 5");
  doc = minimal();
  doc["training"]["optimizer"] = "adam";
  CHECK(error_of(doc) == R"(configs/x.json: training.optimizer: expected an object, got "adam")");
  doc = minimal();
  doc["model"]["layers"] = json::array();
  CHECK(error_of(doc) ==
        "configs/x.json: model.layers: expected a non-empty array of layers, got []");
  doc = minimal();
  doc["training"]["optimizer"] = {{"type", "adam"}, {"learning_rate", 0}};
  CHECK(error_of(doc) ==
        "configs/x.json: training.optimizer.learning_rate: expected a number > 0, got 0");
  doc = minimal();
  doc["training"]["seed"] = -1;
  CHECK(error_of(doc) == "configs/x.json: training.seed: expected a non-negative integer, got -1");
  CHECK(error_of(json::array({1, 2})) == "configs/x.json: expected an object, got [1,2]");
}

TEST_CASE("non-positive counts are rejected", "[config]") {
  json doc = minimal();
  doc["model"]["layers"][0]["units"] = 0;
  CHECK(error_of(doc) ==
        "configs/x.json: model.layers[0].units: expected a positive integer, got 0");
  doc = minimal();
  doc["model"]["layers"][0]["units"] = -3;
  CHECK(error_of(doc) ==
        "configs/x.json: model.layers[0].units: expected a positive integer, got -3");
  doc = minimal();
  doc["training"]["epochs"] = 0;
  CHECK(error_of(doc) == "configs/x.json: training.epochs: expected a positive integer, got 0");
  doc = minimal();
  doc["training"]["batch_size"] = 3000000000;
  CHECK(error_of(doc) ==
        "configs/x.json: training.batch_size: expected a positive integer up to 2147483647, got "
        "3000000000");
}

TEST_CASE("unknown keys suggest the closest known key", "[config]") {
  json doc = minimal();
  doc["model"]["lyers"] = doc["model"]["layers"];
  CHECK(error_of(doc) ==
        R"(configs/x.json: model: "lyers" is not a known key; did you mean "layers"?)");
  doc = minimal();
  doc["model"]["layers"][0]["unts"] = 5;
  CHECK(error_of(doc) ==
        R"(configs/x.json: model.layers[0]: "unts" is not a known key; did you mean "units"?)");
  doc = minimal();
  doc["trainig"] = json::object();
  CHECK(error_of(doc) ==
        R"(configs/x.json: "trainig" is not a known key; did you mean "training"?)");
  doc = minimal();
  doc["model"]["layers"][0] = {{"tpye", "dense"}, {"units", 10}};
  CHECK(error_of(doc) ==
        R"(configs/x.json: model.layers[0]: "tpye" is not a known key; did you mean "type"?)");
  // Nothing close: no suggestion.
  doc = minimal();
  doc["training"]["optimizer"] = {{"type", "adam"}, {"lr", 0.1}};
  CHECK(error_of(doc) == R"(configs/x.json: training.optimizer: "lr" is not a known key)");
}

TEST_CASE("keys of another layer or optimizer type are rejected", "[config]") {
  json doc = minimal();
  doc["model"]["layers"][0]["rate"] = 0.5;
  CHECK(error_of(doc) ==
        R"(configs/x.json: model.layers[0].rate: not valid for a "dense" layer )"
        "(its keys: type, name, units, activation, use_bias, kernel_initializer, l2)");
  doc = minimal();
  doc["model"]["layers"].insert(doc["model"]["layers"].begin(),
                                json::object({{"type", "dropout"}, {"rate", 0.1}, {"units", 3}}));
  CHECK(
      error_of(doc) ==
      R"(configs/x.json: model.layers[0].units: not valid for a "dropout" layer )"
      "(its keys: type, name, rate)");
  doc = minimal();
  doc["training"]["optimizer"] = {{"type", "adam"}, {"rho", 0.9}};
  CHECK(error_of(doc) ==
        R"(configs/x.json: training.optimizer.rho: not valid for the "adam" optimizer )"
        "(its keys: type, learning_rate, beta_1, beta_2, epsilon, clipnorm, schedule)");
  doc = minimal();
  doc["training"]["optimizer"] = {{"type", "sgd"}, {"weight_decay", 0.1}};
  CHECK(error_of(doc) ==
        R"(configs/x.json: training.optimizer.weight_decay: not valid for the "sgd" optimizer )"
        "(its keys: type, learning_rate, momentum, nesterov, clipnorm, schedule)");
  doc = minimal();
  doc["training"]["optimizer"] = {{"type", "adam"},
                                  {"schedule", {{"type", "cosine"}, {"decay_rate", 0.5}}}};
  CHECK(
      error_of(doc) ==
      "configs/x.json: training.optimizer.schedule.decay_rate: "
      R"(not valid for the "cosine" schedule )"
      "(its keys: type, decay_steps, alpha)");
}

TEST_CASE("bad enum strings list the choices", "[config]") {
  json doc = minimal();
  doc["model"]["layers"][0]["activation"] = "rleu";
  CHECK(error_of(doc) ==
        R"(configs/x.json: model.layers[0].activation: expected one of "relu", "sigmoid", "tanh", )"
        R"("softmax", "linear", got "rleu"; did you mean "relu"?)");
  doc = minimal();
  doc["training"]["optimizer"] = {{"type", "adagrad"}};
  CHECK(
      error_of(doc) ==
      "configs/x.json: training.optimizer.type: "
      R"(expected one of "sgd", "rmsprop", "adam", "adamw", got "adagrad")");
  doc = minimal();
  doc["training"]["loss"] = "binary_crossentropy";
  CHECK(error_of(doc) ==
        R"(configs/x.json: training.loss: expected one of "categorical_crossentropy", )"
        R"("sparse_categorical_crossentropy", "mean_squared_error", got "binary_crossentropy")");
  doc = minimal();
  doc["model"]["layers"][0]["kernel_initializer"] = "he_normall";
  CHECK(
      error_of(doc) ==
      R"(configs/x.json: model.layers[0].kernel_initializer: expected one of "glorot_uniform", )"
      R"("glorot_normal", "he_uniform", "he_normal", "zeros", got "he_normall"; )"
      R"(did you mean "he_normal"?)");
  doc = minimal();
  doc["training"]["metrics"] = {"acc"};
  CHECK(error_of(doc) ==
        R"(configs/x.json: training.metrics[0]: expected one of "accuracy", got "acc")");
  doc = minimal();
  doc["training"]["early_stopping"] = {{"monitor", "val_acc"}};
  CHECK(
      error_of(doc) ==
      "configs/x.json: training.early_stopping.monitor: "
      R"(expected one of "val_loss", "val_accuracy", )"
      R"("loss", "accuracy", got "val_acc")");
}

TEST_CASE("missing required keys are named", "[config]") {
  json doc = minimal();
  doc.erase("model");
  CHECK(error_of(doc) == R"(configs/x.json: missing required key "model")");
  doc = minimal();
  doc.erase("output");
  CHECK(error_of(doc) == R"(configs/x.json: missing required key "output")");
  doc = minimal();
  doc["model"]["layers"][0].erase("units");
  CHECK(error_of(doc) == R"(configs/x.json: model.layers[0]: missing required key "units")");
  doc = minimal();
  doc["model"]["layers"][0] = {{"units", 5}};
  CHECK(error_of(doc) == R"(configs/x.json: model.layers[0]: missing required key "type")");
  doc = minimal();
  doc["training"]["optimizer"] = {{"type", "sgd"},
                                  {"schedule", {{"type", "step"}, {"decay_rate", 0.5}}}};
  CHECK(error_of(doc) ==
        R"(configs/x.json: training.optimizer.schedule: missing required key "decay_steps")");
}

TEST_CASE("number ranges are enforced", "[config]") {
  json doc = minimal();
  doc["model"]["layers"].insert(doc["model"]["layers"].begin() + 1,
                                json::object({{"type", "dropout"}, {"rate", 1.0}}));
  CHECK(error_of(doc) ==
        "configs/x.json: model.layers[1].rate: expected a number in [0, 1), got 1.0");
  doc["model"]["layers"][1]["rate"] = -0.1;
  CHECK(error_of(doc) ==
        "configs/x.json: model.layers[1].rate: expected a number in [0, 1), got -0.1");
  doc = minimal();
  doc["data"] = {{"validation_split", 1}};
  CHECK(error_of(doc) ==
        "configs/x.json: data.validation_split: expected a number in [0, 1), got 1");
  doc["data"] = {{"validation_split", -0.5}};
  CHECK(error_of(doc) ==
        "configs/x.json: data.validation_split: expected a number in [0, 1), got -0.5");
  doc["data"] = {{"validation_split", 0.2}};
  CHECK(parse(doc).data.validation_split == 0.2);
  // Labels are uint8: at most 256 classes.
  doc["data"] = {{"num_classes", 257}};
  CHECK(error_of(doc) == "configs/x.json: data.num_classes: expected a positive integer up to 256, got 257");
}

TEST_CASE("the output layer must fit the classes and the loss", "[config]") {
  json doc = minimal();
  doc["model"]["layers"][1]["units"] = 12;
  CHECK(error_of(doc) ==
        "configs/x.json: model.layers[1].units: expected 10 units (one per class), got 12");
  doc["data"] = {{"num_classes", 12}};
  CHECK(parse(doc).data.num_classes == 12);

  doc = minimal();
  doc["model"]["layers"] = {{{"type", "flatten"}}};
  CHECK(error_of(doc) ==
        "configs/x.json: model.layers: expected at least one dense layer (the last one has one "
        "unit per class)");

  doc = minimal();
  doc["model"]["layers"][1]["activation"] = "relu";
  CHECK(
      error_of(doc) ==
      "configs/x.json: model.layers[1].activation: "
      R"(training.loss "categorical_crossentropy" needs a softmax output, got "relu")");
  doc["training"]["loss"] = "mean_squared_error";
  CHECK(parse(doc).training.loss == Loss::MeanSquaredError);
  // A softmax activation layer after a linear dense layer is a softmax output too.
  doc = minimal();
  doc["model"]["layers"][1].erase("activation");
  doc["model"]["layers"].push_back({{"type", "activation"}, {"activation", "softmax"}});
  doc["model"]["layers"].push_back({{"type", "dropout"}, {"rate", 0.1}});
  doc["training"]["loss"] = "sparse_categorical_crossentropy";
  CHECK(parse(doc).model.layers.size() == 4);
}

TEST_CASE("callbacks must watch values that are computed", "[config]") {
  json doc = minimal();
  doc["training"]["early_stopping"] = json::object();
  CHECK(
      error_of(doc) ==
      "configs/x.json: training.early_stopping.monitor: "
      R"("val_loss" needs validation data; set data.validation_split above 0)");
  doc["data"] = {{"validation_split", 0.1}};
  CHECK(parse(doc).training.early_stopping.enabled);
  doc["training"]["metrics"] = json::array();
  doc["training"]["save_best"] = {{"monitor", "accuracy"}};
  CHECK(
      error_of(doc) ==
      "configs/x.json: training.save_best.monitor: "
      R"("accuracy" needs "accuracy" in training.metrics)");
}

TEST_CASE("duplicate layer names are rejected", "[config]") {
  json doc = minimal();
  doc["model"]["layers"][0]["name"] = "fc";
  doc["model"]["layers"][1]["name"] = "fc";
  CHECK(error_of(doc) ==
        R"(configs/x.json: model.layers[1].name: "fc" is already the name of model.layers[0])");
}

TEST_CASE("data.transpose and data.class_names parse, round-trip, and are left out when unset", "[config]") {
  const Config plain = parse(minimal());
  CHECK_FALSE(plain.data.transpose);
  CHECK(plain.data.class_names.empty());
  // Absent, they are not written, so earlier runs' records stay as they were.
  CHECK_FALSE(to_json(plain)["data"].contains("transpose"));
  CHECK_FALSE(to_json(plain)["data"].contains("class_names"));

  json doc = minimal();
  doc["model"]["layers"][1]["units"] = 3;
  // Up to 32 characters, counted as characters: 32 kana are 96 bytes.
  std::string kana;
  for (int i = 0; i < 32; ++i) kana += "\xe3\x81\x8a";  // U+304A
  doc["data"] = {{"num_classes", 3}, {"transpose", true},
                 {"class_names", {"-", "T-shirt/top", kana}}};
  const Config c = parse(doc);
  CHECK(c.data.transpose);
  CHECK(c.data.class_names == std::vector<std::string>{"-", "T-shirt/top", kana});
  const json once = to_json(c);
  CHECK(once["data"]["transpose"] == true);
  CHECK(once["data"]["class_names"] == json({"-", "T-shirt/top", kana}));
  const Config back = parse_config(once, "<round-trip>", "");
  CHECK(back.data.transpose);
  CHECK(back.data.class_names == c.data.class_names);
  CHECK(to_json(back) == once);
}

TEST_CASE("bad data.transpose and data.class_names name the key and the index", "[config]") {
  json doc = minimal();
  doc["model"]["layers"][1]["units"] = 3;
  auto with_data = [&](const json& data) {
    json d = doc;
    d["data"] = data;
    d["data"]["num_classes"] = 3;
    return error_of(d);
  };
  CHECK(with_data({{"transpose", "yes"}}) ==
        R"(configs/x.json: data.transpose: expected true or false, got "yes")");
  CHECK(with_data({{"transpose", 1}}) == "configs/x.json: data.transpose: expected true or false, got 1");
  CHECK(with_data({{"class_names", "abc"}}) ==
        R"(configs/x.json: data.class_names: expected an array of 3 class names, got "abc")");
  CHECK(with_data({{"class_names", {"a", "b"}}}) ==
        "configs/x.json: data.class_names: expected 3 names (one per class), got 2");
  CHECK(with_data({{"class_names", {"a", "b", "c", "d"}}}) ==
        "configs/x.json: data.class_names: expected 3 names (one per class), got 4");
  CHECK(with_data({{"class_names", {"a", "", "c"}}}) ==
        R"(configs/x.json: data.class_names[1]: expected a non-empty string, got "")");
  CHECK(with_data({{"class_names", {"a", "b", 7}}}) ==
        "configs/x.json: data.class_names[2]: expected a non-empty string, got 7");
  CHECK(with_data({{"class_names", {"a", "b", std::string(33, 'x')}}}) ==
        "configs/x.json: data.class_names[2]: expected a name of at most 32 characters, got \"" +
            std::string(33, 'x') + "\"");
  CHECK(with_data({{"class_names", {"a\nb", "b", "c"}}}) ==
        R"(configs/x.json: data.class_names[0]: expected a name without control characters, got "a\nb")");
  CHECK(with_data({{"class_names", {"a", "b\x7f", "c"}}}) ==
        R"(configs/x.json: data.class_names[1]: expected a name without control characters, got "b\u007f")");
  CHECK(with_data({{"class_names", {"a", "b", "\xc2\x85"}}}) ==  // U+0085, a C1 control
        R"(configs/x.json: data.class_names[2]: expected a name without control characters, got "\u0085")");
  // The count is judged against num_classes wherever the keys stand in the file.
  json later = json::parse(R"({"class_names": ["a", "b"], "num_classes": 2})");
  doc["model"]["layers"][1]["units"] = 2;
  doc["data"] = later;
  CHECK(parse(doc).data.class_names.size() == 2);
}

TEST_CASE("load_config reports file and JSON syntax problems", "[config]") {
  CHECK(load_error("/nonexistent/mnist.json") ==
        "/nonexistent/mnist.json: cannot open: No such file or directory");
  const TempFile bad("mnisttrain_test_config_syntax.json", "{\n  \"model\": }\n");
  CHECK(load_error(bad.path) ==
        bad.path +
            ": invalid JSON at byte 14: parse error at line 2, column 12: syntax error while "
            "parsing value - unexpected '}'; expected '[', '{', or a literal");
  const TempFile wrong("mnisttrain_test_config_wrong.json",
                       R"({"model": {"layers": 3}, "output": "o"})");
  CHECK(load_error(wrong.path) ==
        wrong.path + ": model.layers: expected a non-empty array of layers, got 3");
}

TEST_CASE("every shipped config loads", "[config]") {
  const std::string dir = kSourceDir + "/configs/";
  for (const char* name : {"mnist_mlp", "mnist_sgd", "mnist_adam", "mnist_best"}) {
    INFO(name);
    const Config c = load_config(dir + name + ".json");
    CHECK(c.source == dir + name + ".json");
    CHECK(c.data.train_images == kSourceDir + "/data/mnist/train-images-idx3-ubyte");
    CHECK(c.data.test_labels == kSourceDir + "/data/mnist/t10k-labels-idx1-ubyte");
    CHECK(c.output == std::string("runs/") + name);
  }

  // mnist_mlp.json is default_config() written out.
  Config mlp = load_config(dir + "mnist_mlp.json");
  mlp.data = default_config().data;
  CHECK(to_json(mlp) == to_json(default_config()));

  const Config sgd = load_config(dir + "mnist_sgd.json");
  CHECK(sgd.training.optimizer.type == OptimizerType::Sgd);
  CHECK(sgd.training.optimizer.momentum == 0.9);
  CHECK(sgd.training.optimizer.nesterov);

  CHECK(load_config(dir + "mnist_adam.json").training.optimizer.type == OptimizerType::Adam);

  const Config best = load_config(dir + "mnist_best.json");
  REQUIRE(best.model.layers.size() == 5);
  CHECK(best.model.layers[0].units == 1024);
  CHECK(best.model.layers[0].kernel_initializer == Initializer::HeNormal);
  CHECK(best.model.layers[1].type == LayerType::Dropout);
  CHECK(best.model.layers[1].rate == 0.2);
  CHECK(best.training.optimizer.schedule.type == ScheduleType::Cosine);
  CHECK(best.training.optimizer.schedule.decay_steps == 0);
  CHECK(best.training.optimizer.schedule.alpha == 0.01);
  CHECK(best.training.epochs == 20);
}

TEST_CASE("a config read to describe a network may leave out output, nothing else", "[config]") {
  json document = minimal();
  document.erase("output");
  CHECK(error_of(document) == "configs/x.json: missing required key \"output\"");
  const Config described = parse_config(document, "configs/x.json", "configs", Purpose::Describe);
  CHECK(described.model.layers.size() == 2);
  // Every field that is there is judged as for training.
  document["model"]["layers"][0]["units"] = 0;
  CHECK_THROWS_WITH(parse_config(document, "configs/x.json", "configs", Purpose::Describe),
                    "configs/x.json: model.layers[0].units: expected a positive integer, got 0");
  document = minimal();
  document["output"] = "";
  CHECK_THROWS_WITH(parse_config(document, "configs/x.json", "configs", Purpose::Describe),
                    "configs/x.json: output: expected a non-empty string, got \"\"");
}

TEST_CASE("flag overrides replace fields and are checked by the fields' own rules", "[config]") {
  Config config = parse(minimal());
  Overrides overrides;
  overrides.epochs = 3;
  overrides.batch_size = 64;
  overrides.learning_rate = 0.01;
  overrides.seed = 18446744073709551615ull;
  overrides.threads = 0;
  overrides.output = "runs/other";
  apply_overrides(config, overrides);
  CHECK(config.training.epochs == 3);
  CHECK(config.training.batch_size == 64);
  CHECK(config.training.optimizer.learning_rate == 0.01);
  CHECK(config.training.seed == 18446744073709551615ull);
  CHECK(config.training.threads == 0);
  CHECK(config.output == "runs/other");

  const auto refused = [&](Overrides bad) {
    Config copy = config;
    try {
      apply_overrides(copy, bad);
    } catch (const mnisttrain::Error& e) {
      return std::string(e.what());
    }
    return std::string("<no error>");
  };
  Overrides bad;
  bad.epochs = 0;
  CHECK(refused(bad) == "--epochs: expected a positive integer, got 0");
  bad = {};
  bad.batch_size = -5;
  CHECK(refused(bad) == "--batch-size: expected a positive integer, got -5");
  bad = {};
  bad.learning_rate = std::nan("");
  CHECK(refused(bad) == "--learning-rate: expected a number > 0, got null");
  bad = {};
  bad.learning_rate = -0.1;
  CHECK(refused(bad) == "--learning-rate: expected a number > 0, got -0.1");
  bad = {};
  bad.threads = -1;
  CHECK(refused(bad) == "--threads: expected a non-negative integer, got -1");
  bad = {};
  bad.output = "";
  CHECK(refused(bad) == "--out: expected a non-empty string, got \"\"");
  // Nothing else in the config changes.
  Overrides none;
  Config same = config;
  apply_overrides(same, none);
  CHECK(to_json(same) == to_json(config));
}
