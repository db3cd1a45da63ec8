// What the commands that take --config share: the file when given, the built-in reference
// network otherwise.
#pragma once

#include "config/config.h"

#include <string>

namespace mnisttrain::cli {

config::Config config_from_flag(const std::string& path, config::Purpose purpose);

}  // namespace mnisttrain::cli
