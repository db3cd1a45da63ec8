// How a stored 8-bit pixel becomes the network's input: x = pixel / 255, exactly as Keras's
// x.astype("float32") / 255. One definition for the float batches and for the sparse first
// layer, which compresses a batch straight from the bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace mnisttrain {

// A double product rounded once to float equals the float quotient pixel / 255.0f for all 256
// pixel values (tested), without a division per pixel.
constexpr float scaled_pixel(std::uint8_t pixel) { return static_cast<float>(pixel * (1.0 / 255.0)); }

// scaled_pixel of every byte value, looked up where a kernel reads a pixel (tested equal).
inline constexpr std::array<float, 256> kPixelValues = [] {
  std::array<float, 256> values{};
  for (std::size_t v = 0; v < values.size(); ++v) values[v] = scaled_pixel(static_cast<std::uint8_t>(v));
  return values;
}();

}  // namespace mnisttrain
