// How a stored 8-bit pixel becomes the network's input: x = pixel / 255, exactly as Keras's
// x.astype("float32") / 255. One definition for the float batches and for the sparse first
// layer, which compresses a batch straight from the bytes.
#pragma once

#include <cstdint>

namespace mnisttrain {

// A double product rounded once to float equals the float quotient pixel / 255.0f for all 256
// pixel values (tested), without a division per pixel.
inline float scaled_pixel(std::uint8_t pixel) { return static_cast<float>(pixel * (1.0 / 255.0)); }

}  // namespace mnisttrain
