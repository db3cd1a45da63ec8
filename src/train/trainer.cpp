// The training loop; see trainer.h.
#include "train/trainer.h"

#include "data/batches.h"
#include "data/dataset.h"
#include "error.h"
#include "io/atomic_file.h"
#include "nn/network.h"
#include "optim/optimizer.h"
#include "kernels/blas.h"
#include "train/checkpoint.h"
#include "train/saved_model.h"
#include "train/step.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

namespace mnisttrain::train {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Keras semantics: losses improve downwards, accuracies upwards, by more than min_delta.
bool improves(const std::string& monitor, double value, const MonitorState& m, double min_delta) {
  if (!m.has_best) return true;
  const bool higher_is_better = monitor.find("accuracy") != std::string::npos;
  return higher_is_better ? value > m.best + min_delta : value < m.best - min_delta;
}

double monitored(const std::string& monitor, const EpochMetrics& e) {
  if (monitor == "loss") return e.loss;
  if (monitor == "accuracy") return e.accuracy;
  if (monitor == "val_loss") return e.val_loss;
  return e.val_accuracy;
}

void write_metrics(const std::string& path, const nlohmann::json& history) {
  std::string lines;
  for (const auto& record : history) lines += record.dump() + "\n";
  io::write_file_atomic(path, lines);
}

}  // namespace

nlohmann::json EpochMetrics::to_json() const {
  nlohmann::json j = {{"epoch", epoch}, {"loss", loss}, {"accuracy", accuracy}};
  if (has_validation) {
    j["val_loss"] = val_loss;
    j["val_accuracy"] = val_accuracy;
  }
  j["learning_rate"] = learning_rate;
  j["seconds"] = seconds;
  j["samples_per_second"] = samples_per_second;
  return j;
}

TrainResult train(const config::Config& config, const TrainOptions& options,
                  TrainListener& listener) {
  const auto start = Clock::now();
  const config::TrainingConfig& tc = config.training;
  if (tc.threads > 0) blas::set_num_threads(tc.threads);

  // ---- data: everything loads and validates before the first step
  const int classes = config.data.num_classes;
  data::Dataset train_set = data::load_dataset(config.data.train_images, config.data.train_labels, classes);
  data::Dataset validation;
  const bool has_validation = config.data.validation_split > 0.0;
  if (has_validation) validation = data::split_validation(train_set, config.data.validation_split);
  const data::Dataset test_set = data::load_dataset(config.data.test_images, config.data.test_labels, classes);
  if (test_set.features() != train_set.features()) {
    throw Error(config.data.test_images + ": images are " + std::to_string(test_set.rows) + "x" +
                std::to_string(test_set.cols) + ", the training images " +
                std::to_string(train_set.rows) + "x" + std::to_string(train_set.cols));
  }
  if (train_set.count == 0) throw Error(config.data.train_images + ": no training samples");

  // ---- model, optimizer, state
  nn::Network network(config.model, {train_set.rows, train_set.cols}, classes);
  network.init_params(tc.seed);
  const auto batch_size = static_cast<std::size_t>(tc.batch_size);
  network.reserve(std::min(batch_size, train_set.count));
  Stepper stepper(network, tc);
  optim::Optimizer& optimizer = stepper.optimizer();

  LoopState state;
  std::vector<float> best_params;
  if (!options.resume_path.empty()) {
    Checkpoint c = load_checkpoint(options.resume_path);
    if (c.params.size() != network.param_count() || c.optimizer_state.size() != optimizer.state().size()) {
      throw Error(options.resume_path + ": checkpoint holds " + std::to_string(c.params.size()) +
                  " parameters and " + std::to_string(c.optimizer_state.size()) +
                  " optimizer values; this config needs " + std::to_string(network.param_count()) +
                  " and " + std::to_string(optimizer.state().size()));
    }
    network.params() = std::move(c.params);
    optimizer.state() = std::move(c.optimizer_state);
    optimizer.set_iterations(c.optimizer_steps);
    network.dropout_rng().set_state(c.dropout_rng);
    best_params = std::move(c.best_params);
    state = std::move(c.state);
  }

  std::error_code mkdir_error;
  std::filesystem::create_directories(config.output, mkdir_error);
  if (mkdir_error) throw Error(config.output + ": cannot create the run folder: " + mkdir_error.message());
  const std::string dir = config.output;
  TrainResult result;
  result.run_dir = dir;
  result.checkpoint_path = dir + "/checkpoint.bin";
  result.param_count = network.param_count();
  result.blas = blas::library_description();
  result.threads = blas::num_threads();

  auto interrupted = [&] {
    result.reason = StopReason::Interrupted;
    result.epochs_run = state.epoch;
    result.seconds = seconds_since(start);
    return result;
  };
  auto save_state = [&] {
    save_checkpoint(result.checkpoint_path, {config, state, network.params(), optimizer.state(),
                                             optimizer.iterations(), network.dropout_rng().state(),
                                             best_params});
  };

  data::BatchIterator batches(train_set, batch_size);
  const std::size_t num_batches = batches.num_batches();
  if (state.batch >= num_batches && state.batch > 0) {
    throw Error(options.resume_path + ": checkpoint resumes at batch " + std::to_string(state.batch + 1) +
                " of an epoch that now has " + std::to_string(num_batches) + " batches: the training data changed");
  }
  const auto total_steps = static_cast<std::int64_t>(num_batches) * tc.epochs;
  double learning_rate = optim::learning_rate_at(tc.optimizer, optimizer.iterations(), total_steps);
  bool early_stopped = false;

  while (state.epoch < tc.epochs && !early_stopped) {
    const auto epoch_start = Clock::now();
    listener.epoch_begin(state.epoch + 1, tc.epochs, num_batches);
    if (tc.shuffle) batches.shuffle(tc.seed, static_cast<std::uint64_t>(state.epoch));
    else batches.unshuffle();

    for (std::size_t b = state.batch; b < num_batches; ++b) {
      const data::Batch batch = batches.batch(b);
      learning_rate = optim::learning_rate_at(tc.optimizer, optimizer.iterations(), total_steps);
      const StepResult r = stepper.step(batch.x, batch.onehot, batch.labels, batch.size,
                                        static_cast<float>(learning_rate));
      if (!std::isfinite(r.loss)) {
        throw Error("training diverged: loss is " + std::string(std::isnan(r.loss) ? "NaN" : "infinite") +
                    " at epoch " + std::to_string(state.epoch + 1) + ", batch " + std::to_string(b + 1) +
                    " of " + std::to_string(num_batches) +
                    "; no model was written (try a lower learning rate or clipnorm)");
      }
      state.loss_sum += r.loss * static_cast<double>(batch.size);
      state.correct += r.correct;
      state.seen += batch.size;
      listener.batch_end(b + 1, num_batches, state.loss_sum / static_cast<double>(state.seen),
                         static_cast<double>(state.correct) / static_cast<double>(state.seen));
      if (options.stop_requested && options.stop_requested->load() && b + 1 < num_batches) {
        state.batch = b + 1;
        save_state();
        return interrupted();
      }
    }

    EpochMetrics m;
    m.epoch = state.epoch + 1;
    m.loss = state.loss_sum / static_cast<double>(state.seen);
    m.accuracy = static_cast<double>(state.correct) / static_cast<double>(state.seen);
    if (has_validation) {
      const Evaluation v = evaluate(network, validation, tc.loss, batch_size);
      m.has_validation = true;
      m.val_loss = v.loss;
      m.val_accuracy = v.accuracy;
    }
    m.learning_rate = learning_rate;
    m.seconds = seconds_since(epoch_start);
    m.samples_per_second = static_cast<double>(state.seen) / std::max(m.seconds, 1e-9);
    state.history.push_back(m.to_json());
    state.batch = 0;
    state.loss_sum = 0.0;
    state.correct = 0;
    state.seen = 0;
    write_metrics(dir + "/metrics.jsonl", state.history);
    listener.epoch_end(m);

    if (tc.save_best.enabled) {
      const double value = monitored(tc.save_best.monitor, m);
      if (improves(tc.save_best.monitor, value, state.save_best, 0.0)) {
        state.save_best = {true, value, m.epoch, 0};
        save_model(dir + "/best.bin", config, network);
      }
    }
    if (tc.early_stopping.enabled) {
      const auto& es = tc.early_stopping;
      const double value = monitored(es.monitor, m);
      MonitorState& s = state.early_stopping;
      ++s.wait;
      if (improves(es.monitor, value, s, es.min_delta)) {
        s = {true, value, m.epoch, 0};
        if (es.restore_best_weights) best_params = network.params();
      } else if (s.wait >= es.patience && state.epoch > 0) {
        early_stopped = true;
      }
    }
    // The checkpoint names the NEXT epoch, so a resume after this point starts there.
    ++state.epoch;
    save_state();
    if (options.stop_requested && options.stop_requested->load() && state.epoch < tc.epochs && !early_stopped) {
      return interrupted();
    }
  }

  // Keras 3 restores the best weights at the end of training, stopped early or not.
  if (tc.early_stopping.enabled && tc.early_stopping.restore_best_weights && !best_params.empty()) {
    network.params() = best_params;
  }
  result.reason = early_stopped ? StopReason::EarlyStopped : StopReason::Completed;
  result.epochs_run = state.epoch;
  save_model(dir + "/model.bin", config, network);
  result.test = evaluate(network, test_set, tc.loss, batch_size);
  result.seconds = seconds_since(start);

  nlohmann::json summary = {
      {"test_loss", result.test.loss},
      {"test_accuracy", result.test.accuracy},
      {"test_accuracy_stderr", result.test.accuracy_stderr()},
      {"test_samples", result.test.count},
      {"epochs_run", result.epochs_run},
      {"stopped", early_stopped ? "early_stopping" : "completed"},
      {"seconds", result.seconds},
      {"param_count", result.param_count},
      {"seed", tc.seed},
      {"threads", result.threads},
      {"blas", result.blas},
      {"mnisttrain_version", MNISTTRAIN_VERSION},
      {"config", config::to_json(config)},
  };
  io::write_file_atomic(dir + "/summary.json", summary.dump(2) + "\n");
  return result;
}

}  // namespace mnisttrain::train
