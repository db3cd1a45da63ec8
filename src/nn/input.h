// A batch as the network reads it: x (B, features) as floats and, when the batch was cut from
// 8-bit images, those images' rows (x = pixel / 255, see pixels.h). The sparse first layer
// compresses a batch straight from the bytes, so for it the batch need not be converted to
// floats at all (x null); every other first layer reads x.
#pragma once

#include <cstdint>

namespace mnisttrain::nn {

struct Input {
  const float* x = nullptr;                     // (B, features), or null with images
  const std::uint8_t* const* images = nullptr;  // B rows of `features` bytes, or null

  Input(const float* floats) : x(floats) {}  // a float batch is an input as it stands
  Input(const float* floats, const std::uint8_t* const* rows) : x(floats), images(rows) {}
};

}  // namespace mnisttrain::nn
