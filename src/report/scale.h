// Axis arithmetic for the report's charts: "nice" tick steps (1, 2 or 5 times a power of ten),
// axis ranges that start and end on a tick, the linear map from data to pixels and tick labels
// with just enough decimals. Plain functions, unit-tested, no SVG in here.
#pragma once

#include <string>
#include <vector>

namespace mnisttrain::report {

// The smallest of 1, 2, 5 x 10^k that splits `span` into at most `max_ticks` intervals.
double nice_step(double span, int max_ticks);

struct Axis {
  double min = 0.0;
  double max = 1.0;
  double step = 1.0;
  std::vector<double> ticks;  // min, min + step, ..., max
};

// An axis covering [lo, hi] that starts and ends on multiples of a nice step. A single value
// (lo == hi) gets a unit-wide range around it; non-finite bounds give the axis [0, 1].
Axis nice_axis(double lo, double hi, int max_ticks = 5);

// Maps [domain_min, domain_max] linearly onto [range_min, range_max] (pixels; the y range runs
// downwards, so range_min > range_max there).
struct LinearScale {
  double domain_min, domain_max, range_min, range_max;
  double operator()(double value) const;
};

// The tick label for `value` on an axis with a nice step: as many decimals as the step has
// ("0.25" on a 0.05 step, "2" on a 1 step), and "0" rather than "-0".
std::string format_tick(double value, double step);

}  // namespace mnisttrain::report
