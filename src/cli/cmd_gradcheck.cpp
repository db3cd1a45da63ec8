// `mnisttrain gradcheck`: compares every layer's backprop gradient with central differences
// computed in double precision, and fails above the threshold.
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "cli/config_flag.h"
#include "config/config.h"
#include "data/batches.h"
#include "data/dataset.h"
#include "nn/gradcheck.h"
#include "train/describe.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

namespace mnisttrain::cli {

namespace {

struct GradcheckFlags {
  std::string config;
  std::size_t samples = 4;
  std::size_t per_tensor = 32;
  double threshold = 1e-3;
  unsigned long long seed = 1;
  bool random_inputs = false;
};

int run_gradcheck(const GradcheckFlags& flags) {
  const config::Config cfg = config_from_flag(flags.config, config::Purpose::Describe);
  const train::TrainingSamples input =
      train::training_samples(cfg, flags.samples, flags.seed, flags.random_inputs);
  if (!input.fallback.empty()) spdlog::warn("using random inputs: {}", input.fallback);
  const data::Dataset& set = input.samples;
  nn::Network net(cfg.model, {set.rows, set.cols}, cfg.data.num_classes);
  net.init_params(cfg.training.seed);
  data::BatchIterator batches(set, set.count);
  const data::Batch batch = batches.batch(0);
  nn::GradcheckOptions options;
  options.per_tensor = flags.per_tensor;
  options.seed = flags.seed;
  const nn::GradcheckResult result =
      nn::gradient_check(net, cfg.training.loss, batch.x, batch.onehot, batch.labels, batch.size, options);

  std::printf("gradient check: %zu samples, central differences (h = %g) in double precision\n",
              batch.size, options.step);
  std::printf("%-24s %8s %14s %14s\n", "tensor", "checked", "max abs err", "max rel err");
  for (const auto& t : result.tensors) {
    std::printf("%-24s %8zu %14.3e %14.3e  %s\n", t.name.c_str(), t.checked, t.max_abs_error,
                t.max_rel_error, t.max_rel_error <= flags.threshold ? "ok" : "FAIL");
  }
  const bool pass = result.max_rel_error <= flags.threshold;
  std::printf("%s: max relative error %.3e %s threshold %.1e\n", pass ? "PASS" : "FAIL",
              result.max_rel_error, pass ? "<=" : ">", flags.threshold);
  return pass ? 0 : 1;
}

}  // namespace

CommandAction add_gradcheck(CLI::App& app, CLI::App*& sub) {
  auto flags = std::make_shared<GradcheckFlags>();
  sub = app.add_subcommand("gradcheck", "Check backprop gradients against central differences");
  sub->add_option("--config,-c", flags->config, "JSON config (default: the built-in Keras book network)");
  // The double-precision reference is slow by design: a few samples say as much as many.
  sub->add_option("--samples", flags->samples, "samples in the batch")->check(integer_between(1, 256));
  sub->add_option("--per-tensor", flags->per_tensor, "parameters sampled per tensor (0 = all)");
  sub->add_option("--threshold", flags->threshold, "largest relative error that passes");
  sub->add_option("--seed", flags->seed, "which parameters (and random inputs) are drawn")
      ->check(integer_at_least(0));
  sub->add_flag("--random-inputs", flags->random_inputs, "random pixels instead of the training data");
  return [flags] { return run_gradcheck(*flags); };
}

}  // namespace mnisttrain::cli
