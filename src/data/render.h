// Pictures of images without matplotlib: a terminal rendering (two characters per pixel so a
// 28x28 digit keeps its square aspect) and binary PGM (P5) bytes any image viewer opens.
#pragma once

#include <cstdint>
#include <string>

namespace mnisttrain::data {

// One line per pixel row. `unicode` picks the shade blocks " ░▒▓█"; otherwise the ASCII ramp
// " .:-=+*#%@" for terminals or logs that lack them.
std::string render_image(const std::uint8_t* pixels, int rows, int cols, bool unicode = true);

std::string to_pgm(const std::uint8_t* pixels, int rows, int cols);

}  // namespace mnisttrain::data
