// model.bin: the trained network in the io/model_file container. The JSON header carries what
// is needed to rebuild and use the network without the config file: the architecture (the
// model config), the input shape, the class count, the input normalisation, the test-set paths
// and the full training config; the one array is the flat parameter buffer.
#pragma once

#include "config/config.h"
#include "nn/network.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace mnisttrain::train {

constexpr const char* kArchitecture = "mnisttrain.sequential";

struct SavedModel {
  config::Config config;                 // as trained (data paths as resolved then)
  std::unique_ptr<nn::Network> network;  // parameters loaded
  nlohmann::json header;
};

nlohmann::json model_header(const config::Config& config, const nn::Network& network);
void save_model(const std::string& path, const config::Config& config, const nn::Network& network);
// Checks the container (magic, version, CRC), then the architecture and that the parameter
// count matches it; each failure names the file and the check.
SavedModel load_model(const std::string& path);

}  // namespace mnisttrain::train
