// Saving and loading model.bin; see saved_model.h.
#include "train/saved_model.h"

#include "error.h"
#include "io/model_file.h"
#include "train/header_fields.h"

#include <climits>

namespace mnisttrain::train {

using nlohmann::json;

nlohmann::json model_header(const config::Config& config, const nn::Network& network) {
  nlohmann::json header;
  header["kind"] = "model";
  header["architecture"] = kArchitecture;
  header["mnisttrain_version"] = MNISTTRAIN_VERSION;
  header["input_shape"] = network.input_shape();
  header["num_classes"] = network.output_features();
  header["param_count"] = network.param_count();
  // What the network expects: x = pixel / 255, flattened row-major to input_features floats.
  header["normalization"] = {{"scale", "1/255"}, {"flatten", true}};
  header["test_images"] = config.data.test_images;
  header["test_labels"] = config.data.test_labels;
  // The thread count changes how a run was computed, not what it computed (the weights are the
  // same bits for any count), so the model records the default and is the same file either way.
  config::Config recorded = config;
  recorded.training.threads = 0;
  header["config"] = config::to_json(recorded);
  return header;
}

void save_model(const std::string& path, const config::Config& config, const nn::Network& network) {
  io::save_model_file(path, model_header(config, network), {{"params", network.params()}});
}

SavedModel load_model(const std::string& path) {
  io::ModelFile file = io::load_model_file(path);
  const HeaderFields h(file.header, path + ": header");
  h.expect_string("kind", "model", file.header.value("kind", json()) == "checkpoint"
                                       ? " (this is a checkpoint, training state for `train --resume`; use the"
                                         " model.bin written beside it, which holds the weights at the end of the run)"
                                       : "");
  h.expect_string("architecture", kArchitecture, "");
  SavedModel model;
  model.header = file.header;
  const std::vector<std::int64_t> shape = h.integers("input_shape", 1, INT_MAX);
  const auto classes = static_cast<int>(h.integer("num_classes", 1, 256));
  const std::uint64_t param_count = h.unsigned_integer("param_count");
  try {
    model.config = config::parse_config(h.at("config"), path + " (header config)", "");
    model.network = std::make_unique<nn::Network>(
        model.config.model, std::vector<int>(shape.begin(), shape.end()), classes);
  } catch (const Error& e) {
    throw Error(path + ": header describes an invalid network: " + e.what());
  }
  const std::vector<float>& params = file.array("params", path);
  if (params.size() != model.network->param_count()) {
    throw Error(path + ": parameter array holds " + std::to_string(params.size()) +
                " floats, the architecture needs " + std::to_string(model.network->param_count()));
  }
  if (param_count != model.network->param_count()) {
    throw Error(path + ": header.param_count is " + std::to_string(param_count) +
                ", the architecture has " + std::to_string(model.network->param_count()));
  }
  check_finite(params, "params", path);
  model.network->params() = params;
  return model;
}

}  // namespace mnisttrain::train
