// Saving and loading model.bin; see saved_model.h.
#include "train/saved_model.h"

#include "error.h"
#include "io/model_file.h"

namespace mnisttrain::train {

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
  const nlohmann::json& h = file.header;
  if (h.value("architecture", std::string()) != kArchitecture) {
    throw Error(path + ": header: architecture is " + (h.contains("architecture") ? h["architecture"].dump() : std::string("missing")) +
                ", expected \"" + kArchitecture + "\"");
  }
  SavedModel model;
  model.header = h;
  try {
    model.config = config::parse_config(h.at("config"), path + " (header config)", "");
    const auto input_shape = h.at("input_shape").get<std::vector<int>>();
    const int classes = h.at("num_classes").get<int>();
    model.network = std::make_unique<nn::Network>(model.config.model, input_shape, classes);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": header: " + e.what());
  } catch (const Error& e) {
    throw Error(path + ": header describes an invalid network: " + e.what());
  }
  const std::vector<float>& params = file.array("params", path);
  if (params.size() != model.network->param_count()) {
    throw Error(path + ": parameter array holds " + std::to_string(params.size()) +
                " floats, the architecture needs " + std::to_string(model.network->param_count()));
  }
  model.network->params() = params;
  return model;
}

}  // namespace mnisttrain::train
