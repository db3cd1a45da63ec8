// The --config flag's meaning; see config_flag.h.
#include "cli/config_flag.h"

namespace mnisttrain::cli {

config::Config config_from_flag(const std::string& path) {
  return path.empty() ? config::default_config() : config::load_config(path);
}

std::vector<int> input_shape_without_data(const config::Config& config) {
  return config.model.input_shape.empty() ? std::vector<int>{28, 28} : config.model.input_shape;
}

}  // namespace mnisttrain::cli
