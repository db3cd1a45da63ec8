// `mnisttrain bench`: where a training step's time goes, at one thread and at one per core, and
// the first layer's product through each backend against the naive loop. Report ratios from one
// run: the machine may be shared and absolute times are noisy.
#include "bench/step_bench.h"
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "cli/config_flag.h"
#include "text/format.h"

#include <cstdio>
#include <memory>

namespace mnisttrain::cli {

namespace {

struct BenchFlags {
  std::string config;
  double seconds = 1.0;  // per measurement
  bool json = false;
};

void print_products(const bench::BenchReport& r) {
  std::printf("first dense layer's product at batch %zu (%s):\n", r.batch_size, r.network.c_str());
  const double naive = r.products.front().seconds;
  for (const bench::ProductRun& p : r.products) {
    std::printf("  %-20s %9.3f ms %8.1f GFLOP/s %7.1fx naive\n", p.name.c_str(), p.seconds * 1e3, p.gflops,
                naive / p.seconds);
  }
}

// The step against this machine's ceilings: the multiply-add peak, and the time a dense first
// layer's products alone take.
void print_limits(const bench::BenchReport& r) {
  const double work = r.work_flops_per_step;
  // One "value on N" per thread count, comma-separated; `decimals` and `unit` for the value.
  auto per_run = [&](const char* name, int decimals, const char* unit, double (*of)(const bench::StepRun&, double)) {
    std::printf("  %-34s", name);
    for (const bench::StepRun& s : r.steps) {
      std::printf("%s%.*f %s on %d", &s == &r.steps.front() ? " " : ", ", decimals, of(s, work), unit, s.threads);
    }
    std::printf("\n");
  };
  std::printf("this machine's limits (multiply-adds on registers, nothing else; all threads at once):\n");
  per_run("multiply-add peak", 1, "GFLOP/s", [](const bench::StepRun& s, double) { return s.peak_gflops; });
  std::printf("  %-34s %.1f MFLOP%s\n", "the products' work per step", work * 1e-6,
              r.first_layer == "sparse" ? " (the first layer's over the non-zero pixels only)" : "");
  per_run("that work at the peak", 3, "ms", [](const bench::StepRun& s, double w) { return w / (s.peak_gflops * 1e9) * 1e3; });
  std::printf("  %-34s %.3f ms on 1 thread (%s)", "the dense products alone", r.dense_products_seconds * 1e3, r.matmul.c_str());
  const int cores = r.steps.back().threads;
  if (cores > 1) std::printf(", %.3f ms on %d at best", r.dense_products_seconds / cores * 1e3, cores);
  std::printf("\n");
}

void print_row(const char* name, const std::vector<bench::StepRun>& steps, double (*of)(const bench::StepRun&)) {
  std::printf("  %-26s", name);
  for (const bench::StepRun& s : steps) std::printf(" %12.3f", of(s) * 1e3);
  std::printf("\n");
}

void print_steps(const bench::BenchReport& r) {
  std::printf("training step, ms per step:  ");
  for (const bench::StepRun& s : r.steps) std::printf(" %4d thread%s", s.threads, s.threads == 1 ? " " : "s");
  std::printf("\n");
  print_row("batch building", r.steps, [](const bench::StepRun& s) { return s.phases.batch; });
  if (r.first_layer == "sparse") print_row("batch compression", r.steps, [](const bench::StepRun& s) { return s.phases.compress; });
  for (std::size_t i = 0; i < r.layer_names.size(); ++i) {
    std::printf("  %-26s", (r.layer_names[i] + " forward").c_str());
    for (const bench::StepRun& s : r.steps) std::printf(" %12.3f", s.phases.forward[i] * 1e3);
    std::printf("\n");
  }
  print_row("loss", r.steps, [](const bench::StepRun& s) { return s.phases.loss; });
  for (std::size_t i = r.layer_names.size(); i-- > 0;) {
    std::printf("  %-26s", (r.layer_names[i] + " backward").c_str());
    for (const bench::StepRun& s : r.steps) std::printf(" %12.3f", s.phases.backward[i] * 1e3);
    std::printf("\n");
  }
  print_row("optimizer", r.steps, [](const bench::StepRun& s) { return s.phases.optimizer; });
  print_row("(of these: waiting)", r.steps, [](const bench::StepRun& s) { return s.phases.waiting; });
  print_row("step", r.steps, [](const bench::StepRun& s) { return s.seconds_per_step; });
  std::printf("  %-26s", "samples/s");
  for (const bench::StepRun& s : r.steps) std::printf(" %12.0f", s.samples_per_second);
  std::printf("\n  %-26s", "useful GFLOP/s");
  for (const bench::StepRun& s : r.steps) std::printf(" %12.1f", s.gflops);
  std::printf("\n  %-26s", "share of the peak");
  for (const bench::StepRun& s : r.steps) std::printf(" %11.0f%%", s.peak_share * 100);
  std::printf("\n  %-26s", "speed-up over 1 thread");
  for (const bench::StepRun& s : r.steps) std::printf(" %11.2fx", r.steps.front().seconds_per_step / s.seconds_per_step);
  std::printf("\n");
  if (r.streamed_update) {
    std::printf("(the first layer's weights (and bias) are updated inside its backward, as their gradient\n"
                " is made; \"optimizer\" is the update of the other parameters)\n");
  }
}

int run_bench(const BenchFlags& flags) {
  const config::Config cfg = config_from_flag(flags.config, config::Purpose::Describe);
  const bench::BenchReport r = bench::run_bench(cfg, flags.seconds);
  if (flags.json) {
    std::printf("%s\n", bench::to_json(r).dump(2).c_str());
    return 0;
  }
  std::printf("network %s, %s, batch %zu, %s parameters\n", r.network.c_str(), r.optimizer.c_str(), r.batch_size,
              text::with_commas(r.params).c_str());
  std::printf("data: %s, %.1f%% of pixels non-zero: first layer %s%s\n", r.samples.c_str(), r.input_density * 100,
              r.first_layer.c_str(), r.first_layer == "sparse" ? " (skips the zero pixels)" : "");
  std::printf("BLAS: %s%s\n", r.blas.c_str(),
              r.blas_generic ? " (generic pre-AVX kernels: the products use the tiled kernels)" : "");
  std::printf("dense products: %s; useful work per step: %.1f MFLOP\n\n", r.matmul.c_str(), r.flops_per_step * 1e-6);
  print_products(r);
  std::printf("\n");
  print_limits(r);
  std::printf("\n");
  print_steps(r);
  return 0;
}

}  // namespace

CommandAction add_bench(CLI::App& app, CLI::App*& sub) {
  auto flags = std::make_shared<BenchFlags>();
  sub = app.add_subcommand("bench", "Where a training step's time goes, per phase, at 1 thread and at one per core");
  sub->add_option("--config,-c", flags->config, "JSON config (default: the built-in Keras book network)");
  sub->add_option("--seconds", flags->seconds, "time spent on each measurement")->check(number_above(0));
  sub->add_flag("--json", flags->json, "print the measurements as one JSON object");
  return [flags] { return run_bench(*flags); };
}

}  // namespace mnisttrain::cli
