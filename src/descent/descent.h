// Gradient descent on a function of one variable, exactly as the notes end: the derivative by
// central differences (f(x + h) - f(x - h)) / 2h with h = 0.001, then x -= eta * f'(x), step
// after step. Too small a learning rate crawls, a good one converges, a large one overshoots
// back and forth, a too large one diverges.
#pragma once

#include <string>
#include <vector>

namespace mnisttrain::descent {

struct Function {
  const char* name;  // as typed on the command line: "x^2"
  double (*f)(double);
};

// x^2, x^4 and (x-1)^2.
const std::vector<Function>& known_functions();
// Throws mnisttrain::Error listing the known names when `name` is none of them.
const Function& function_named(const std::string& name);

constexpr double kStep = 0.001;  // h of the central difference

double central_difference(double (*f)(double), double x, double h = kStep);

struct Path {
  double learning_rate = 0.0;
  std::vector<double> xs;  // x0, x1, ..., one per step taken (steps + 1 values)
  bool diverged = false;   // stopped early: |x| passed 1e12
};

// `steps` updates from x0, fewer when the path diverges: |x| passing 1e12, beyond which
// x + h rounds to x and the central difference can no longer see any slope.
Path descend(const Function& function, double x0, double learning_rate, int steps);

}  // namespace mnisttrain::descent
