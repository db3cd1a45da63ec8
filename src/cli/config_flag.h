// What the commands that take --config share: the file when given, the built-in reference
// network otherwise, and the --data folder.
#pragma once

#include "config/config.h"

#include <string>

namespace mnisttrain::cli {

config::Config config_from_flag(const std::string& path, config::Purpose purpose);

// --data DIR (when given) replaces the four data paths with the standard names in DIR. Then
// every data path must exist: a missing one is an Error saying where it was looked for, how
// the path was resolved (config folder or working directory) and how to fix it. The paths
// become absolute, so that a model records test files that resolve from any folder.
void resolve_data_paths(config::Config& config, const std::string& data_dir);

}  // namespace mnisttrain::cli
