// SVG figures; see svg.h.
#include "report/svg.h"

#include "report/scale.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace mnisttrain::report {

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string number(double value, int digits) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, value);
  return buf;
}

std::string series_colour(std::size_t index) {
  // Okabe & Ito's palette without its yellow, which vanishes on white.
  static const char* const palette[] = {"#0072b2", "#d55e00", "#009e73", "#cc79a7",
                                        "#e69f00", "#56b4e9", "#000000"};
  return palette[index % (sizeof palette / sizeof *palette)];
}

// ============================================================ line chart

namespace {

struct Plot {
  int left = 58, right = 14, top = 30, bottom = 42;  // margins around the plot area
  LinearScale x, y;
};

Axis x_axis_of(double lo, double hi, bool integer_x) {
  Axis axis = nice_axis(lo, hi, 6);
  if (!integer_x || axis.step >= 1.0) return axis;
  axis = {};
  axis.step = 1.0;
  axis.min = std::floor(lo);
  axis.max = std::max(std::ceil(hi), axis.min + 1.0);
  for (double t = axis.min; t <= axis.max + 0.5; t += 1.0) axis.ticks.push_back(t);
  return axis;
}

std::string axes_markup(const LineChart& chart, const Plot& p, const Axis& xa, const Axis& ya) {
  const int x0 = p.left, x1 = chart.width - p.right, y0 = chart.height - p.bottom, y1 = p.top;
  std::string s;
  for (const double t : ya.ticks) {
    const std::string y = number(p.y(t));
    s += "<line class=\"grid\" x1=\"" + std::to_string(x0) + "\" x2=\"" + std::to_string(x1) + "\" y1=\"" + y +
         "\" y2=\"" + y + "\"/><text class=\"tick\" x=\"" + std::to_string(x0 - 6) + "\" y=\"" + y +
         "\" text-anchor=\"end\" dominant-baseline=\"middle\">" + escape(format_tick(t, ya.step)) + "</text>";
  }
  for (const double t : xa.ticks) {
    const std::string x = number(p.x(t));
    s += "<line class=\"axis\" x1=\"" + x + "\" x2=\"" + x + "\" y1=\"" + std::to_string(y0) + "\" y2=\"" +
         std::to_string(y0 + 4) + "\"/><text class=\"tick\" x=\"" + x + "\" y=\"" + std::to_string(y0 + 16) +
         "\" text-anchor=\"middle\">" + escape(format_tick(t, xa.step)) + "</text>";
  }
  s += "<polyline class=\"axis\" fill=\"none\" points=\"" + std::to_string(x0) + "," + std::to_string(y1) + " " +
       std::to_string(x0) + "," + std::to_string(y0) + " " + std::to_string(x1) + "," + std::to_string(y0) + "\"/>";
  s += "<text class=\"label\" x=\"" + std::to_string((x0 + x1) / 2) + "\" y=\"" + std::to_string(chart.height - 8) +
       "\" text-anchor=\"middle\">" + escape(chart.x_label) + "</text>";
  s += "<text class=\"label\" transform=\"translate(14," + std::to_string((y0 + y1) / 2) +
       ") rotate(-90)\" text-anchor=\"middle\">" + escape(chart.y_label) + "</text>";
  return s;
}

std::string series_markup(const Series& series, const std::string& colour, const Plot& p,
                          const std::string& x_label) {
  std::string lines, points, run;
  const auto flush = [&] {
    if (!run.empty()) {
      // Dense data without markers (the per-batch loss) is drawn thin and light, so the
      // per-epoch lines over it stay readable.
      lines += "<polyline class=\"line\" fill=\"none\" stroke=\"" + colour + "\"" +
               (series.markers ? "" : " stroke-width=\"0.8\" stroke-opacity=\"0.6\"") +
               (series.dashed ? " stroke-dasharray=\"5 3\"" : "") + " points=\"" + run + "\"><title>" +
               escape(series.name) + "</title></polyline>";
    }
    run.clear();
  };
  const std::size_t n = std::min(series.x.size(), series.y.size());
  for (std::size_t i = 0; i < n; ++i) {
    const double xv = series.x[i], yv = series.y[i];
    if (!std::isfinite(xv) || !std::isfinite(yv)) {
      flush();
      continue;
    }
    const std::string cx = number(p.x(xv)), cy = number(p.y(yv));
    run += (run.empty() ? "" : " ") + cx + "," + cy;
    if (series.markers) {
      points += "<circle class=\"pt\" data-series=\"" + escape(series.name) + "\" cx=\"" + cx + "\" cy=\"" + cy +
                "\" r=\"3\" fill=\"" + colour + "\"><title>" + escape(series.name) + ", " + escape(x_label) + " " +
                number(xv) + ": " + number(yv, 5) + "</title></circle>";
    }
  }
  flush();
  return lines + points;
}

}  // namespace

std::string line_chart(const LineChart& chart) {
  double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
  for (const Series& s : chart.series) {
    for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) continue;
      x_lo = std::min(x_lo, s.x[i]), x_hi = std::max(x_hi, s.x[i]);
      y_lo = std::min(y_lo, s.y[i]), y_hi = std::max(y_hi, s.y[i]);
    }
  }
  const std::size_t legend_rows = chart.series.size();
  const int height = chart.height + static_cast<int>(legend_rows) * 16;
  std::string s = "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(chart.width) +
                  "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(chart.width) + " " +
                  std::to_string(height) + "\" role=\"img\"><title>" + escape(chart.title) + "</title>" +
                  "<text class=\"title\" x=\"" + std::to_string(chart.width / 2) +
                  "\" y=\"18\" text-anchor=\"middle\">" + escape(chart.title) + "</text>";
  if (!(x_lo <= x_hi)) {
    return s + "<text class=\"empty\" x=\"" + std::to_string(chart.width / 2) + "\" y=\"" +
           std::to_string(chart.height / 2) + "\" text-anchor=\"middle\">no data to draw</text></svg>";
  }
  Plot p;
  const Axis xa = x_axis_of(x_lo, x_hi, chart.integer_x);
  const Axis ya = nice_axis(y_lo, y_hi, 5);
  p.x = {xa.min, xa.max, static_cast<double>(p.left), static_cast<double>(chart.width - p.right)};
  p.y = {ya.min, ya.max, static_cast<double>(chart.height - p.bottom), static_cast<double>(p.top)};
  s += axes_markup(chart, p, xa, ya);
  for (std::size_t i = 0; i < chart.series.size(); ++i) {
    s += series_markup(chart.series[i], series_colour(i), p, chart.x_label);
  }
  for (std::size_t i = 0; i < legend_rows; ++i) {
    const int y = chart.height + static_cast<int>(i) * 16;
    s += "<g class=\"legend\"><line x1=\"" + std::to_string(p.left) + "\" x2=\"" + std::to_string(p.left + 22) +
         "\" y1=\"" + std::to_string(y) + "\" y2=\"" + std::to_string(y) + "\" stroke=\"" + series_colour(i) + "\"" +
         (chart.series[i].dashed ? " stroke-dasharray=\"5 3\"" : "") + " stroke-width=\"2\"/><text x=\"" +
         std::to_string(p.left + 28) + "\" y=\"" + std::to_string(y) + "\" dominant-baseline=\"middle\">" +
         escape(chart.series[i].name) + "</text></g>";
  }
  return s + "</svg>";
}

// ============================================================ heat map

std::string heat_map(const HeatMap& map) {
  const int label_space = 44, c = map.cell;
  const int width = label_space + static_cast<int>(map.columns) * c + 8;
  const int height = label_space + static_cast<int>(map.rows) * c + 8;
  std::size_t max_count = 0;
  for (const std::size_t n : map.counts) max_count = std::max(max_count, n);
  std::string s = "<svg class=\"heatmap\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) +
                  "\" height=\"" + std::to_string(height) + "\" role=\"img\"><title>" + escape(map.title) +
                  "</title>";
  s += "<text class=\"label\" x=\"" + std::to_string(label_space + static_cast<int>(map.columns) * c / 2) +
       "\" y=\"12\" text-anchor=\"middle\">" + escape(map.column_label) + "</text>";
  s += "<text class=\"label\" transform=\"translate(12," + std::to_string(label_space + static_cast<int>(map.rows) * c / 2) +
       ") rotate(-90)\" text-anchor=\"middle\">" + escape(map.row_label) + "</text>";
  for (std::size_t j = 0; j < map.columns; ++j) {
    s += "<text class=\"tick\" x=\"" + std::to_string(label_space + static_cast<int>(j) * c + c / 2) + "\" y=\"" +
         std::to_string(label_space - 8) + "\" text-anchor=\"middle\">" + std::to_string(j) + "</text>";
  }
  for (std::size_t i = 0; i < map.rows; ++i) {
    const int y = label_space + static_cast<int>(i) * c;
    s += "<text class=\"tick\" x=\"" + std::to_string(label_space - 8) + "\" y=\"" + std::to_string(y + c / 2) +
         "\" text-anchor=\"end\" dominant-baseline=\"middle\">" + std::to_string(i) + "</text>";
    for (std::size_t j = 0; j < map.columns; ++j) {
      const std::size_t n = map.counts[i * map.columns + j];
      // log scale: one mistake is visible beside a diagonal of a thousand
      const double t = max_count ? std::log1p(static_cast<double>(n)) / std::log1p(static_cast<double>(max_count)) : 0.0;
      const int x = label_space + static_cast<int>(j) * c;
      const auto channel = [t](int from, int to) { return static_cast<int>(std::lround(from + (to - from) * t)); };
      char fill[8];
      std::snprintf(fill, sizeof fill, "#%02x%02x%02x", channel(255, 8), channel(255, 48), channel(255, 107));
      s += "<g><rect class=\"cell\" data-row=\"" + std::to_string(i) + "\" data-column=\"" + std::to_string(j) +
           "\" data-count=\"" + std::to_string(n) + "\" x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) +
           "\" width=\"" + std::to_string(c - 1) + "\" height=\"" + std::to_string(c - 1) + "\" fill=\"" + fill +
           "\"/><text class=\"count\" x=\"" + std::to_string(x + c / 2) + "\" y=\"" + std::to_string(y + c / 2) +
           "\" text-anchor=\"middle\" dominant-baseline=\"middle\" fill=\"" + (t > 0.6 ? "#fff" : "#222") + "\">" +
           (n ? std::to_string(n) : "") + "</text><title>" + escape(map.row_label) + " " + std::to_string(i) + ", " +
           escape(map.column_label) + " " + std::to_string(j) + ": " + std::to_string(n) + "</title></g>";
    }
  }
  return s + "</svg>";
}

// ============================================================ images

namespace {

constexpr int kGreyLevels = 32;       // 0 .. 31, 0 white
constexpr int kDivergingLevels = 33;  // 0 .. 32, 16 white (zero)

int level_of(double value, ColourMap map) {
  if (std::isnan(value)) value = 0.0;
  if (map == ColourMap::Grey) return static_cast<int>(std::lround(std::clamp(value, 0.0, 1.0) * (kGreyLevels - 1)));
  return static_cast<int>(std::lround((std::clamp(value, -1.0, 1.0) + 1.0) * (kDivergingLevels - 1) / 2));
}

double value_of_level(int level, ColourMap map) {
  if (map == ColourMap::Grey) return static_cast<double>(level) / (kGreyLevels - 1);
  return 2.0 * level / (kDivergingLevels - 1) - 1.0;
}

}  // namespace

std::string colour(double value, ColourMap map) {
  if (std::isnan(value)) value = 0.0;
  int r, g, b;
  if (map == ColourMap::Grey) {
    r = g = b = static_cast<int>(std::lround(255 * (1.0 - std::clamp(value, 0.0, 1.0))));
  } else {
    const double t = std::fabs(std::clamp(value, -1.0, 1.0));
    // white towards ColorBrewer's RdBu ends: red #b2182b for +, blue #2166ac for -
    const int end[3] = {value < 0 ? 0x21 : 0xb2, value < 0 ? 0x66 : 0x18, value < 0 ? 0xac : 0x2b};
    r = static_cast<int>(std::lround(255 + (end[0] - 255) * t));
    g = static_cast<int>(std::lround(255 + (end[1] - 255) * t));
    b = static_cast<int>(std::lround(255 + (end[2] - 255) * t));
  }
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", r, g, b);
  return buf;
}

std::string image_tile(const float* values, int rows, int cols, double scale, ColourMap map,
                       const TileStyle& style) {
  const int white = level_of(0.0, map);
  std::map<int, std::string> paths;  // level -> path data, runs of equal level merged per row
  for (int r = 0; r < rows; ++r) {
    int c = 0;
    while (c < cols) {
      const int level = level_of(scale > 0 ? values[r * cols + c] / scale : 0.0, map);
      int end = c + 1;
      while (end < cols && level_of(scale > 0 ? values[r * cols + end] / scale : 0.0, map) == level) ++end;
      if (level != white) {
        paths[level] += "M" + std::to_string(c) + " " + std::to_string(r) + "h" + std::to_string(end - c) + "v1h-" +
                        std::to_string(end - c) + "z";
      }
      c = end;
    }
  }
  std::string s = "<svg class=\"" + escape(style.css_class) + "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                  std::to_string(style.width) + "\" height=\"" + std::to_string(style.height) + "\" viewBox=\"0 0 " +
                  std::to_string(cols) + " " + std::to_string(rows) +
                  "\" preserveAspectRatio=\"none\" shape-rendering=\"crispEdges\"><title>" + escape(style.hover) +
                  "</title><rect width=\"" + std::to_string(cols) + "\" height=\"" +
                  std::to_string(rows) + "\" fill=\"#fff\"/>";
  for (const auto& [level, d] : paths) s += "<path fill=\"" + colour(value_of_level(level, map), map) + "\" d=\"" + d + "\"/>";
  return s + "</svg>";
}

std::string digit_tile(const std::uint8_t* pixels, int rows, int cols, const TileStyle& style) {
  std::vector<float> values(static_cast<std::size_t>(rows) * cols);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = pixels[i];
  return image_tile(values.data(), rows, cols, 255.0, ColourMap::Grey, style);
}

}  // namespace mnisttrain::report
