// Gradient descent in one variable; see descent.h.
#include "descent/descent.h"

#include "error.h"

#include <cmath>

namespace mnisttrain::descent {

namespace {

double square(double x) { return x * x; }
double fourth_power(double x) { return x * x * x * x; }
double shifted_square(double x) { return (x - 1) * (x - 1); }

// Beyond about 1e13, x + 0.001 rounds to x in double precision and the central difference
// reads 0: the path would freeze far out instead of visibly running away. Stop before that.
constexpr double kDivergedAt = 1e12;

}  // namespace

const std::vector<Function>& known_functions() {
  static const std::vector<Function> functions{{"x^2", square}, {"x^4", fourth_power}, {"(x-1)^2", shifted_square}};
  return functions;
}

const Function& function_named(const std::string& name) {
  std::string known;
  for (const Function& f : known_functions()) {
    if (name == f.name) return f;
    known += (known.empty() ? "" : ", ") + std::string(f.name);
  }
  throw Error("unknown function \"" + name + "\"; known: " + known);
}

double central_difference(double (*f)(double), double x, double h) { return (f(x + h) - f(x - h)) / (2 * h); }

Path descend(const Function& function, double x0, double learning_rate, int steps) {
  Path path;
  path.learning_rate = learning_rate;
  path.xs.push_back(x0);
  double x = x0;
  for (int step = 0; step < steps; ++step) {
    const double next = x - learning_rate * central_difference(function.f, x);
    if (!std::isfinite(next) || std::fabs(next) > kDivergedAt || !std::isfinite(function.f(next))) {
      path.diverged = true;
      break;
    }
    x = next;
    path.xs.push_back(x);
  }
  return path;
}

}  // namespace mnisttrain::descent
