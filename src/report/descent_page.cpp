// The gradient-descent page; see descent_page.h.
#include "report/descent_page.h"

#include "report/html.h"
#include "report/sections.h"
#include "report/svg.h"

#include <algorithm>
#include <cmath>

namespace mnisttrain::report {

namespace {

constexpr int kCurvePoints = 201;

// Points beyond 1.5 x the start's distance from 0 (at least 1.5) are left out of the figure,
// so a diverging path does not flatten the curve into a line; the caption counts them.
std::string path_chart(const descent::Function& function, double x0, const descent::Path& path) {
  const double half_width = 1.5 * std::max(1.0, std::fabs(x0));
  Series curve{"f(x) = " + std::string(function.name), {}, {}, false};
  for (int i = 0; i < kCurvePoints; ++i) {
    const double x = -half_width + 2 * half_width * i / (kCurvePoints - 1);
    curve.x.push_back(x);
    curve.y.push_back(function.f(x));
  }
  Series visited{"visited x (step by step)", {}, {}, true};
  std::size_t outside = 0;
  for (const double x : path.xs) {
    if (std::fabs(x) > half_width) {
      ++outside;
      visited.x.push_back(NAN);  // breaks the joining line
      visited.y.push_back(NAN);
      continue;
    }
    visited.x.push_back(x);
    visited.y.push_back(function.f(x));
  }
  LineChart chart{"learning rate " + number(path.learning_rate), "x", "f(x)", {curve, visited}, false, 420, 300};
  std::string caption = std::to_string(path.xs.size() - 1) + " steps, final x = " + number(path.xs.back(), 4) +
                        ", f(x) = " + number(function.f(path.xs.back()), 4);
  if (path.diverged) caption += "; diverged (stopped when |x| passed 1e12)";
  if (outside) caption += "; " + std::to_string(outside) + " points outside the drawn range";
  return "<figure class=\"descent\">" + line_chart(chart) + "<figcaption>" + escape(caption) + "</figcaption></figure>";
}

}  // namespace

std::string descent_page(const descent::Function& function, double x0, int steps,
                         const std::vector<descent::Path>& paths) {
  Page page("Gradient descent on f(x) = " + std::string(function.name),
            "x0 = " + number(x0) + ", up to " + std::to_string(steps) + " steps");
  std::string body = paragraph(
      "Each step estimates the slope by central differences, f'(x) ~ (f(x + h) - f(x - h)) / 2h with h = " +
      number(descent::kStep) + ", and moves against it: x <- x - learning_rate * f'(x). A small learning rate "
      "crawls towards the minimum, a good one gets there in a few steps, a large one overshoots to the other "
      "side and back, and past a limit every step lands further out than the last: the path diverges.");
  body += "<div class=\"row\">";
  for (const descent::Path& path : paths) body += path_chart(function, x0, path);
  page.add_section("paths", "Paths per learning rate", body + "</div>");
  return page.render();
}

}  // namespace mnisttrain::report
