// What the commands that take --config share: the file when given, the built-in reference
// network otherwise, and the input shape to assume when no data is read.
#pragma once

#include "config/config.h"

#include <string>
#include <vector>

namespace mnisttrain::cli {

config::Config config_from_flag(const std::string& path);

// model.input_shape when the config names one, MNIST's 28x28 otherwise: summary, gradcheck
// (with random inputs) and bench describe a network without reading the data set.
std::vector<int> input_shape_without_data(const config::Config& config);

}  // namespace mnisttrain::cli
