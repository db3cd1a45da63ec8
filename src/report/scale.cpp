// Nice ticks and linear scales; see scale.h.
#include "report/scale.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mnisttrain::report {

double nice_step(double span, int max_ticks) {
  if (!(span > 0.0) || !std::isfinite(span) || max_ticks < 1) return 1.0;
  const double raw = span / max_ticks;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
    // The small tolerance keeps 0.30000000000000004 / 3 from stepping up to the next factor.
    if (factor * power >= raw * (1 - 1e-9)) return factor * power;
  }
  return 10.0 * power;
}

Axis nice_axis(double lo, double hi, int max_ticks) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0.0, hi = 1.0;
  if (lo > hi) std::swap(lo, hi);
  if (lo == hi) lo -= 0.5, hi += 0.5;
  Axis axis;
  axis.step = nice_step(hi - lo, max_ticks);
  axis.min = std::floor(lo / axis.step + 1e-9) * axis.step;
  axis.max = std::ceil(hi / axis.step - 1e-9) * axis.step;
  const auto intervals = static_cast<int>(std::lround((axis.max - axis.min) / axis.step));
  for (int i = 0; i <= intervals; ++i) axis.ticks.push_back(axis.min + i * axis.step);
  return axis;
}

double LinearScale::operator()(double value) const {
  const double span = domain_max - domain_min;
  if (span == 0.0) return (range_min + range_max) / 2;
  return range_min + (value - domain_min) / span * (range_max - range_min);
}

std::string format_tick(double value, double step) {
  // Steps are 1, 2 or 5 x 10^k, so 10^k's decimals show every tick exactly.
  int decimals = 0;
  if (step > 0.0 && std::isfinite(step)) decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  if (std::fabs(value) < step * 1e-9) value = 0.0;  // no "-0"
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", std::min(decimals, 12), value);
  return buf;
}

}  // namespace mnisttrain::report
