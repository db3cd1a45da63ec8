// What describing a network without training it needs (summary, gradcheck, bench): the input
// shape the data would give it.
#pragma once

#include "config/config.h"

#include <vector>

namespace mnisttrain::train {

// The training images' (rows, cols) read from their IDX header when the file exists (as
// training would see them), else model.input_shape, else MNIST's 28x28.
std::vector<int> input_shape_for(const config::Config& config);

}  // namespace mnisttrain::train
