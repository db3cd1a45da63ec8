// Small SVG figures as plain functions returning markup: a line chart with axes, ticks, legend
// and hover values (<title>), a heat map with counts, and image tiles in a grey or a diverging
// colour map. Every piece of text goes through escape(); elements carry class names (and data-
// attributes) that the browser test counts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mnisttrain::report {

// Text safe inside an element and inside a double- or single-quoted attribute.
std::string escape(std::string_view text);

// A number for markup: up to `digits` significant digits, "NaN"/"inf" spelled out.
std::string number(double value, int digits = 6);

// ---- line chart

struct Series {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;     // NaN breaks the line and draws no point there
  bool markers = true;       // a circle with a hover <title> per point (off for per-batch data)
  bool dashed = false;
};

struct LineChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<Series> series;
  bool integer_x = false;  // epochs: ticks on whole numbers only
  int width = 460;
  int height = 280;
};

// A chart with no finite point says so instead of drawing empty axes.
std::string line_chart(const LineChart& chart);

// The colour of series `index` (a fixed palette readable on white and by most colour-blind
// readers), shared by charts and tables that refer to the same runs.
std::string series_colour(std::size_t index);

// ---- heat map

struct HeatMap {
  std::string title;
  std::string row_label;     // e.g. "true label"
  std::string column_label;  // e.g. "predicted label"
  std::size_t rows = 0;
  std::size_t columns = 0;
  std::vector<std::size_t> counts;  // rows x columns, row-major
  int cell = 34;                    // pixels per cell
};

// Cells shaded by count / max count (log-scaled, so the diagonal does not wash out the
// mistakes), each with its count written in and a hover <title>.
std::string heat_map(const HeatMap& map);

// ---- images

enum class ColourMap {
  Grey,       // 0 white .. 1 black, as the notes draw digits (matplotlib's binary map)
  Diverging,  // -1 blue .. 0 white .. +1 red, for weights centred on zero
};

// The "#rrggbb" colour of `value` (Grey: [0, 1]; Diverging: [-1, 1]; clamped).
std::string colour(double value, ColourMap map);

struct TileStyle {
  int width = 56;  // screen pixels of the whole image (it is stretched to fill them)
  int height = 56;
  std::string css_class = "tile";
  std::string hover;  // the tile's <title>
};

// A rows x cols image of `values` divided by `scale` into the map's range. Pixels of equal
// quantised colour share one path (runs along a row merged), so a 28x28 tile stays a few
// kilobytes; white pixels are the background and draw nothing.
std::string image_tile(const float* values, int rows, int cols, double scale, ColourMap map,
                       const TileStyle& style);

// The same for uint8 pixels on the grey map (255 = black), for digits as stored.
std::string digit_tile(const std::uint8_t* pixels, int rows, int cols, const TileStyle& style);

}  // namespace mnisttrain::report
