// `mnisttrain train`: the main job. Flags override the config; without --config it trains the
// built-in Keras book network on data/mnist/. Ctrl-C finishes the batch, writes the checkpoint
// and says how to resume.
#include "cli/app.h"
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "cli/config_flag.h"
#include "cli/progress.h"
#include "config/config.h"
#include "error.h"
#include "kernels/blas.h"
#include "report/report.h"
#include "train/checkpoint.h"
#include "train/trainer.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>

namespace mnisttrain::cli {

namespace {

std::atomic<bool> g_stop{false};

// SIGTERM (docker stop, Slurm, kill) and SIGHUP (a closed terminal) end a run the way Ctrl-C
// does: finish the batch, write the checkpoint, exit 130.
constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void on_stop_signal(int signal_number) {
  g_stop.store(true);
  std::signal(signal_number, SIG_DFL);  // a second Ctrl-C kills at once
}

void handle_stop_signals(bool handle) {
  for (int signal_number : kStopSignals) std::signal(signal_number, handle ? on_stop_signal : SIG_DFL);
}

struct TrainFlags {
  std::string config;
  std::string data;
  config::Overrides overrides;
  std::string resume;
  bool overwrite = false;
  bool quiet = false;
  bool no_report = false;
};

// The run is complete and its files are written whatever happens here, so a report that
// cannot be built is a warning, not a failed run.
void write_run_report(const std::string& run_dir) {
  const std::string path = run_dir + "/report.html";
  try {
    report::write_report({run_dir}, path);
    std::printf("report: %s\n", path.c_str());
  } catch (const Error& e) {
    spdlog::warn("no report written: {}", e.what());
  }
}

int run_train(const TrainFlags& flags) {
  config::Config cfg;
  if (!flags.resume.empty()) {
    // A resumed run is the checkpoint's own run: same config, same seed, same batches.
    cfg = train::load_checkpoint(flags.resume).config;
    // These change which samples form each batch or how big each step is: the run would no
    // longer continue the checkpointed one. --epochs (to train longer) and --threads stay.
    const config::Overrides& overrides = flags.overrides;
    for (const auto& [set, flag] : {std::pair{!flags.config.empty(), "--config"},
                                    std::pair{!flags.data.empty(), "--data"},
                                    std::pair{overrides.batch_size.has_value(), "--batch-size"},
                                    std::pair{overrides.learning_rate.has_value(), "--learning-rate"},
                                    std::pair{overrides.seed.has_value(), "--seed"}}) {
      if (set) {
        throw Error(flags.resume + ": --resume continues the checkpoint's own run; " + flag +
                    " would change it (start a new run instead)");
      }
    }
  } else {
    cfg = config_from_flag(flags.config, config::Purpose::Train);
  }
  config::apply_overrides(cfg, flags.overrides);
  resolve_data_paths(cfg, flags.data);
  const config::TrainingConfig& training = cfg.training;

  spdlog::info("config {}: {} layers, {} epochs, batch {}, {} (lr {}), seed {}", cfg.source,
               cfg.model.layers.size(), training.epochs, training.batch_size,
               optim::name_of(training.optimizer.type), training.optimizer.learning_rate, training.seed);

  if (blas::generic_core()) {
    spdlog::warn("OpenBLAS runs its generic {} kernels on this CPU (it does not recognise it); "
                 "mnisttrain's own kernels do every matrix product instead",
                 blas::core_name());
  }

  g_stop.store(false);
  handle_stop_signals(true);
  ProgressBar progress(!flags.quiet);
  train::TrainOptions options;
  options.resume_path = flags.resume;
  options.overwrite = flags.overwrite;
  options.stop_requested = &g_stop;
  spdlog::debug("data: train {} + {}, test {} + {}", cfg.data.train_images, cfg.data.train_labels,
                cfg.data.test_images, cfg.data.test_labels);
  spdlog::debug("output folder: {}", cfg.output);
  spdlog::debug("BLAS: {}; threads requested {} (0 = one per core)", blas::library_description(), training.threads);
  const auto started = std::chrono::steady_clock::now();
  const train::TrainResult result = train::train(cfg, options, progress);
  handle_stop_signals(false);
  spdlog::debug("data files read and checked in {:.3f} s", result.load_seconds);
  spdlog::debug("training loop {:.2f} s, whole command {:.2f} s on {} threads", result.seconds,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), result.threads);

  if (result.reason == train::StopReason::Interrupted) {
    progress.end_line();
    std::fprintf(stderr, "interrupted: checkpoint written to %s\nresume with: mnisttrain train --resume %s\n",
                 result.checkpoint_path.c_str(), result.checkpoint_path.c_str());
    return kExitInterrupted;
  }
  if (result.reason == train::StopReason::EarlyStopped) {
    std::printf("early stopping after epoch %d\n", result.epochs_run);
  }
  std::printf("test accuracy: %.4f +/- %.4f (%zu of %zu), test loss: %.4f\n", result.test.accuracy,
              result.test.accuracy_stderr(), result.test.correct, result.test.count, result.test.loss);
  std::printf("trained %zu parameters for %d epochs in %.1f s on %d thread%s (first layer: %s, %.1f%% of pixels non-zero)\n",
              result.param_count, result.epochs_run, result.seconds, result.threads, result.threads == 1 ? "" : "s",
              result.sparse_input ? "sparse" : "dense", result.input_density * 100);
  std::string files;
  for (const std::string& name : result.files) files += (files.empty() ? "" : ", ") + name;
  std::printf("wrote %s/{%s}\n", result.run_dir.c_str(), files.c_str());
  if (!flags.no_report) write_run_report(result.run_dir);
  return 0;
}

}  // namespace

CommandAction add_train(CLI::App& app, CLI::App*& sub) {
  auto flags = std::make_shared<TrainFlags>();
  sub = app.add_subcommand("train", "Train a network; writes model.bin, metrics.jsonl/.csv, batches.jsonl, summary.json, checkpoint.bin");
  sub->add_option("--config,-c", flags->config, "JSON config (default: the built-in Keras book network)");
  sub->add_option("--data", flags->data, "folder with the four standard MNIST files (plain or .gz); replaces the config's data paths");
  sub->add_option("--epochs", flags->overrides.epochs, "override training.epochs")->check(integer_at_least(1));
  sub->add_option("--batch-size", flags->overrides.batch_size, "override training.batch_size")->check(integer_at_least(1));
  sub->add_option("--learning-rate", flags->overrides.learning_rate, "override training.optimizer.learning_rate")->check(positive_float32());
  sub->add_option("--seed", flags->overrides.seed, "override training.seed")->check(integer_at_least(0));
  sub->add_option("--threads", flags->overrides.threads, "override training.threads (worker threads; 0 = one per core); the results are the same bits for any count")->check(integer_at_least(0));
  sub->add_option("--out", flags->overrides.output, "override output (the run folder)");
  sub->add_option("--resume", flags->resume, "continue from a checkpoint.bin");
  sub->add_flag("--overwrite", flags->overwrite, "replace the run files of an existing run folder");
  sub->add_flag("--quiet,-q", flags->quiet, "no progress bar, warnings only");
  sub->add_flag("--no-report", flags->no_report, "do not write report.html into the run folder");
  return [flags] {
    if (flags->quiet) spdlog::set_level(spdlog::level::warn);
    return run_train(*flags);
  };
}

}  // namespace mnisttrain::cli
