// `mnisttrain descent`: the notes' closing example, gradient descent on f(x) = x^2 with the
// derivative by central differences; prints each path's outcome and draws them into a page.
#include "cli/commands.h"
#include "descent/descent.h"
#include "io/atomic_file.h"
#include "report/descent_page.h"

#include <cstdio>
#include <memory>

namespace mnisttrain::cli {

namespace {

struct DescentFlags {
  std::string function = "x^2";
  double x0 = 2.0;
  std::vector<double> learning_rates{0.01};
  int steps = 1000;
  std::string out = "descent.html";
};

int run_descent(const DescentFlags& flags) {
  const descent::Function& function = descent::function_named(flags.function);
  std::vector<descent::Path> paths;
  for (const double rate : flags.learning_rates) {
    paths.push_back(descent::descend(function, flags.x0, rate, flags.steps));
    const descent::Path& path = paths.back();
    const double x = path.xs.back();
    std::printf("learning rate %g: %zu steps, final x = %.6g, f(x) = %.6g%s\n", rate, path.xs.size() - 1, x,
                function.f(x), path.diverged ? " (diverged: stopped when |x| passed 1e12)" : "");
  }
  io::write_file_atomic(flags.out, report::descent_page(function, flags.x0, flags.steps, paths));
  std::printf("wrote %s\n", flags.out.c_str());
  return 0;
}

}  // namespace

CommandAction add_descent(CLI::App& app, CLI::App*& sub) {
  auto flags = std::make_shared<DescentFlags>();
  std::vector<std::string> names;
  for (const descent::Function& f : descent::known_functions()) names.push_back(f.name);
  sub = app.add_subcommand("descent", "Gradient descent on f(x) = x^2 step by step, drawn per learning rate");
  sub->add_option("--function,-f", flags->function, "the function to minimise")->check(CLI::IsMember(names));
  sub->add_option("--x0", flags->x0, "the starting point")->check(CLI::Range(-1e6, 1e6));
  sub->add_option("--learning-rate,--lr", flags->learning_rates,
                  "step size eta; repeat it or give a comma list (0.01,0.1,0.9,1.01) for side-by-side paths")
      ->delimiter(',')
      ->check(CLI::PositiveNumber);
  sub->add_option("--steps", flags->steps, "updates x <- x - eta * f'(x)")->check(CLI::Range(0, 1000000));
  sub->add_option("--out,-o", flags->out, "the HTML page to write");
  return [flags] { return run_descent(*flags); };
}

}  // namespace mnisttrain::cli
