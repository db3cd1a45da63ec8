// The parameters as a NumPy .npz (a zip of .npy arrays, written with libzip): per dense layer
// "<name>/kernel" of shape (inputs, units) and "<name>/bias" of shape (units,), float32, in
// layer order, which is the order and layout of Keras's get_weights(), so
// `model.set_weights([z[k] for k in z.files])` takes them as they are.
#pragma once

#include "nn/network.h"

#include <string>
#include <vector>

namespace mnisttrain::exporting {

// One .npy file (format 1.0): little-endian float32, C order.
std::string npy_bytes(const float* values, const std::vector<std::size_t>& shape);

std::string npz_bytes(const nn::Network& network);

}  // namespace mnisttrain::exporting
