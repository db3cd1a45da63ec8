// Reading pictures and the MNIST-style conversion; see digit_image.h.
#include "data/digit_image.h"

#include "error.h"

#include <png.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

namespace mnisttrain::data {

namespace {

constexpr unsigned char kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
constexpr std::size_t kMaxPicturePixels = std::size_t{1} << 26;  // 8192 x 8192

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open: " + std::strerror(errno));
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The next whitespace-separated number of a PGM header (comments start with '#').
long pgm_number(const std::string& path, const std::string& bytes, std::size_t& at, const char* field) {
  while (at < bytes.size()) {
    if (bytes[at] == '#') {
      while (at < bytes.size() && bytes[at] != '\n') ++at;
    } else if (std::isspace(static_cast<unsigned char>(bytes[at]))) {
      ++at;
    } else {
      break;
    }
  }
  const std::size_t start = at;
  long value = 0;
  while (at < bytes.size() && std::isdigit(static_cast<unsigned char>(bytes[at])) && value < 1000000) {
    value = value * 10 + (bytes[at++] - '0');
  }
  if (at == start) throw Error(path + ": PGM " + field + " expected at byte " + std::to_string(start));
  return value;
}

GreyImage read_pgm(const std::string& path, const std::string& bytes) {
  const bool binary = bytes[1] == '5';
  std::size_t at = 2;
  const long cols = pgm_number(path, bytes, at, "width");
  const long rows = pgm_number(path, bytes, at, "height");
  const long maxval = pgm_number(path, bytes, at, "maxval");
  if (cols < 1 || rows < 1 || static_cast<std::size_t>(cols * rows) > kMaxPicturePixels) {
    throw Error(path + ": PGM size " + std::to_string(cols) + "x" + std::to_string(rows) + " is empty or too large");
  }
  if (maxval < 1 || maxval > 255) throw Error(path + ": PGM maxval " + std::to_string(maxval) + " (1..255 supported)");
  GreyImage image{static_cast<int>(rows), static_cast<int>(cols), {}};
  const std::size_t n = static_cast<std::size_t>(rows * cols);
  image.pixels.resize(n);
  if (binary) {
    ++at;  // the single whitespace after maxval
    if (bytes.size() < at + n) {
      throw Error(path + ": PGM truncated: " + std::to_string(n) + " pixels need " + std::to_string(at + n) +
                  " bytes, the file has " + std::to_string(bytes.size()));
    }
    for (std::size_t i = 0; i < n; ++i) image.pixels[i] = static_cast<std::uint8_t>(static_cast<unsigned char>(bytes[at + i]) * 255 / maxval);
  } else {
    for (std::size_t i = 0; i < n; ++i) image.pixels[i] = static_cast<std::uint8_t>(std::min(pgm_number(path, bytes, at, "pixel"), maxval) * 255 / maxval);
  }
  return image;
}

GreyImage read_png(const std::string& path, const std::string& bytes) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size())) {
    throw Error(path + ": PNG: " + png.message);
  }
  if (static_cast<std::size_t>(png.width) * png.height > kMaxPicturePixels) {
    png_image_free(&png);
    throw Error(path + ": PNG size " + std::to_string(png.width) + "x" + std::to_string(png.height) + " is too large");
  }
  png.format = PNG_FORMAT_GRAY;  // colour becomes luminance
  GreyImage image{static_cast<int>(png.height), static_cast<int>(png.width), {}};
  image.pixels.resize(PNG_IMAGE_SIZE(png));
  const png_color white{255, 255, 255};  // transparent areas count as paper
  if (!png_image_finish_read(&png, &white, image.pixels.data(), 0, nullptr)) {
    throw Error(path + ": PNG: " + png.message);
  }
  return image;
}

// Bilinear sample at (y, x) in pixel-centre coordinates, clamped at the edges.
float sample(const GreyImage& g, float y, float x) {
  y = std::clamp(y, 0.0f, static_cast<float>(g.rows - 1));
  x = std::clamp(x, 0.0f, static_cast<float>(g.cols - 1));
  const int y0 = static_cast<int>(y), x0 = static_cast<int>(x);
  const int y1 = std::min(y0 + 1, g.rows - 1), x1 = std::min(x0 + 1, g.cols - 1);
  const float fy = y - static_cast<float>(y0), fx = x - static_cast<float>(x0);
  const auto at = [&g](int r, int c) { return static_cast<float>(g.pixels[static_cast<std::size_t>(r) * g.cols + c]); };
  return (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) + fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1));
}

}  // namespace

bool is_picture_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[8] = {};
  in.read(head, sizeof head);
  if (in.gcount() >= 2 && head[0] == 'P' && (head[1] == '5' || head[1] == '2')) return true;
  return in.gcount() == 8 && std::memcmp(head, kPngSignature, 8) == 0;
}

GreyImage read_picture(const std::string& path) {
  const std::string bytes = read_all(path);
  if (bytes.size() >= 2 && bytes[0] == 'P' && (bytes[1] == '5' || bytes[1] == '2')) return read_pgm(path, bytes);
  if (bytes.size() >= 8 && std::memcmp(bytes.data(), kPngSignature, 8) == 0) return read_png(path, bytes);
  throw Error(path + ": not a PGM (P5/P2) or PNG picture");
}

GreyImage mnist_style(const GreyImage& picture, int side, int box) {
  GreyImage ink = picture;
  // The background is what the border mostly is; MNIST has light ink on black.
  double border = 0;
  std::size_t border_count = 0;
  for (int r = 0; r < ink.rows; ++r) {
    for (int c = 0; c < ink.cols; ++c) {
      if (r != 0 && c != 0 && r != ink.rows - 1 && c != ink.cols - 1) continue;
      border += ink.pixels[static_cast<std::size_t>(r) * ink.cols + c];
      ++border_count;
    }
  }
  double background = border / static_cast<double>(border_count);
  if (background > 127.5) {
    for (std::uint8_t& p : ink.pixels) p = static_cast<std::uint8_t>(255 - p);
    background = 255 - background;
  }
  if (ink.rows == side && ink.cols == side && background < 1) return ink;  // already MNIST-like

  // Paper becomes black and the strongest ink white, as in MNIST (photos have grey paper).
  const std::uint8_t strongest = *std::max_element(ink.pixels.begin(), ink.pixels.end());
  if (strongest > background) {
    const double gain = 255.0 / (strongest - background);
    for (std::uint8_t& p : ink.pixels) p = static_cast<std::uint8_t>(std::lround(std::max(0.0, (p - background) * gain)));
  }

  // Bounding box of the ink: pixels above a tenth of the brightest, so paper noise is ignored.
  const std::uint8_t brightest = *std::max_element(ink.pixels.begin(), ink.pixels.end());
  const int threshold = std::max(1, brightest / 10);
  int top = ink.rows, bottom = -1, left = ink.cols, right = -1;
  for (int r = 0; r < ink.rows; ++r) {
    for (int c = 0; c < ink.cols; ++c) {
      if (ink.pixels[static_cast<std::size_t>(r) * ink.cols + c] < threshold) continue;
      top = std::min(top, r), bottom = std::max(bottom, r), left = std::min(left, c), right = std::max(right, c);
    }
  }
  if (bottom < 0 || brightest == 0) throw Error("the picture holds no digit (it is one flat colour)");

  // Scale the box so its longer side is `box`, averaging 4x4 bilinear samples per pixel.
  const int height = bottom - top + 1, width = right - left + 1;
  const float scale = static_cast<float>(box) / static_cast<float>(std::max(height, width));
  const int fit_rows = std::max(1, static_cast<int>(std::lround(height * scale)));
  const int fit_cols = std::max(1, static_cast<int>(std::lround(width * scale)));
  std::vector<float> fitted(static_cast<std::size_t>(fit_rows) * fit_cols);
  double mass = 0, mass_r = 0, mass_c = 0;
  for (int r = 0; r < fit_rows; ++r) {
    for (int c = 0; c < fit_cols; ++c) {
      float sum = 0;
      for (int sy = 0; sy < 4; ++sy) {
        for (int sx = 0; sx < 4; ++sx) {
          const float y = top + (static_cast<float>(r) + (sy + 0.5f) / 4) / scale - 0.5f;
          const float x = left + (static_cast<float>(c) + (sx + 0.5f) / 4) / scale - 0.5f;
          sum += sample(ink, y, x);
        }
      }
      const float v = sum / 16;
      fitted[static_cast<std::size_t>(r) * fit_cols + c] = v;
      mass += v, mass_r += v * (r + 0.5), mass_c += v * (c + 0.5);
    }
  }
  // Place it so that the centre of mass lands on the image centre.
  const int offset_r = static_cast<int>(std::lround(side / 2.0 - mass_r / mass));
  const int offset_c = static_cast<int>(std::lround(side / 2.0 - mass_c / mass));
  GreyImage out{side, side, std::vector<std::uint8_t>(static_cast<std::size_t>(side) * side, 0)};
  for (int r = 0; r < fit_rows; ++r) {
    for (int c = 0; c < fit_cols; ++c) {
      const int y = r + offset_r, x = c + offset_c;
      if (y < 0 || x < 0 || y >= side || x >= side) continue;
      out.pixels[static_cast<std::size_t>(y) * side + x] =
          static_cast<std::uint8_t>(std::lround(std::clamp(fitted[static_cast<std::size_t>(r) * fit_cols + c], 0.0f, 255.0f)));
    }
  }
  return out;
}

Dataset picture_dataset(const std::string& path) {
  GreyImage image;
  try {
    image = mnist_style(read_picture(path));
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.rfind(path, 0) == 0) throw;
    throw Error(path + ": " + what);
  }
  Dataset set;
  set.count = 1;
  set.rows = image.rows;
  set.cols = image.cols;
  set.images = std::move(image.pixels);
  return set;
}

}  // namespace mnisttrain::data
