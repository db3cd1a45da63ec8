// Terminal and PGM renderings of uint8 images; see render.h.
#include "data/render.h"

#include <cstring>
#include <vector>

namespace mnisttrain::data {

std::string render_image(const std::uint8_t* pixels, int rows, int cols, bool unicode) {
  static const std::vector<const char*> blocks = {" ", "\u2591", "\u2592", "\u2593", "\u2588"};
  static const char* ramp = " .:-=+*#%@";
  const int levels = unicode ? static_cast<int>(blocks.size()) : static_cast<int>(std::strlen(ramp));
  std::string out;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const int level = pixels[r * cols + c] * levels / 256;
      const std::string glyph = unicode ? blocks[level] : std::string(1, ramp[level]);
      out += glyph;
      out += glyph;
    }
    out += '\n';
  }
  return out;
}

std::string to_pgm(const std::uint8_t* pixels, int rows, int cols) {
  std::string out = "P5\n" + std::to_string(cols) + " " + std::to_string(rows) + "\n255\n";
  out.append(reinterpret_cast<const char*>(pixels), static_cast<std::size_t>(rows) * cols);
  return out;
}

}  // namespace mnisttrain::data
