// The --config flag's meaning; see config_flag.h.
#include "cli/config_flag.h"

namespace mnisttrain::cli {

config::Config config_from_flag(const std::string& path, config::Purpose purpose) {
  return path.empty() ? config::default_config() : config::load_config(path, purpose);
}

}  // namespace mnisttrain::cli
