// The training loop; see trainer.h.
#include "train/trainer.h"

#include "data/batches.h"
#include "data/dataset.h"
#include "error.h"
#include "kernels/blas.h"
#include "kernels/sparse_dense.h"
#include "nn/network.h"
#include "optim/optimizer.h"
#include "train/batch_log.h"
#include "train/callbacks.h"
#include "train/checkpoint.h"
#include "train/config_data.h"
#include "train/run_folder.h"
#include "train/step.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

namespace mnisttrain::train {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct TrainingData {
  data::Dataset train;
  data::Dataset validation;  // empty without a validation split
  data::Dataset test;
  double input_density = 0.0;  // fraction of non-zero training pixels: picks the first layer's path
  double load_seconds = 0.0;
};

// Everything loads and is checked before the first step.
TrainingData load_training_data(const config::DataConfig& config) {
  const auto start = Clock::now();
  TrainingData data;
  data.train = load_labelled(config, config.train_images, config.train_labels);
  if (config.validation_split > 0.0) {
    data.validation = data::split_validation(data.train, config.validation_split);
  }
  data.test = load_labelled(config, config.test_images, config.test_labels);
  data::check_image_shape(data.test, {data.train.rows, data.train.cols}, config.test_images,
                          "the training set " + config.train_images);
  data.input_density = kernels::density(data.train.images.data(), data.train.images.size());
  data.load_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return data;
}

// Kernels from the seed, activation buffers for the largest batch the data gives.
nn::Network build_network(const config::Config& config, const TrainingData& data) {
  const data::Dataset& train = data.train;
  nn::Network network(config.model, {train.rows, train.cols}, config.data.num_classes);
  network.set_threads(config.training.threads);
  network.use_sparse_input(nn::prefers_sparse_input(data.input_density));
  network.init_params(config.training.seed);
  network.reserve(std::min(static_cast<std::size_t>(config.training.batch_size), train.count));
  return network;
}

FolderMode folder_mode(const TrainOptions& options) {
  if (!options.resume_path.empty()) return FolderMode::Resume;
  return options.overwrite ? FolderMode::Overwrite : FolderMode::New;
}

class Trainer {
 public:
  Trainer(const config::Config& config, const TrainOptions& options, TrainListener& listener);
  TrainResult run();

 private:
  void restore(const std::string& path);
  void record_batch(std::size_t batch, std::size_t size, const StepResult& step, double learning_rate);
  EpochMetrics end_epoch(Clock::time_point epoch_start);
  bool run_callbacks(const EpochMetrics& metrics);
  void save_checkpoint();
  bool stop_requested() const { return options_.stop_requested && options_.stop_requested->load(); }
  TrainResult finish(StopReason reason);

  const Clock::time_point start_ = Clock::now();
  const config::Config& config_;
  const config::TrainingConfig& training_;
  const TrainOptions& options_;
  TrainListener& listener_;
  TrainingData data_;
  nn::Network network_;
  std::size_t batch_size_;
  Stepper stepper_;
  data::BatchIterator batches_;
  std::int64_t total_steps_;
  EarlyStopping early_stopping_;
  SaveBest save_best_;
  LoopState state_;
  TrainResult result_;
  double last_learning_rate_ = 0.0;
  BatchLog batch_log_;
  std::unique_ptr<RunFolder> folder_;  // opened once the checkpoint (if any) is read
};

Trainer::Trainer(const config::Config& config, const TrainOptions& options, TrainListener& listener)
    : config_(config),
      training_(config.training),
      options_(options),
      listener_(listener),
      data_(load_training_data(config.data)),
      network_(build_network(config, data_)),
      batch_size_(static_cast<std::size_t>(training_.batch_size)),
      stepper_(network_, training_),
      batches_(data_.train, batch_size_),
      total_steps_(static_cast<std::int64_t>(batches_.num_batches()) * training_.epochs),
      early_stopping_(training_.early_stopping),
      save_best_(training_.save_best),
      batch_log_(batches_.num_batches()) {
  batches_.convert_to_floats(network_.needs_float_input());
  if (!options.resume_path.empty()) restore(options.resume_path);
  folder_ = std::make_unique<RunFolder>(config.output, folder_mode(options),
                                        stepper_.optimizer().iterations());
  result_.run_dir = config.output;
  result_.checkpoint_path = folder_->path("checkpoint.bin");
  result_.param_count = network_.param_count();
  result_.blas = blas::library_description();
  result_.threads = network_.threads();
  result_.input_density = data_.input_density;
  result_.load_seconds = data_.load_seconds;
  result_.sparse_input = network_.sparse_input();
}

void Trainer::restore(const std::string& path) {
  Checkpoint checkpoint = load_checkpoint(path);
  optim::Optimizer& optimizer = stepper_.optimizer();
  if (checkpoint.params.size() != network_.param_count() ||
      checkpoint.optimizer_state.size() != optimizer.state().size()) {
    throw Error(path + ": checkpoint holds " + std::to_string(checkpoint.params.size()) +
                " parameters and " + std::to_string(checkpoint.optimizer_state.size()) +
                " optimizer values; this config needs " + std::to_string(network_.param_count()) +
                " and " + std::to_string(optimizer.state().size()));
  }
  if (checkpoint.state.batch >= batches_.num_batches() && checkpoint.state.batch > 0) {
    throw Error(path + ": checkpoint resumes at batch " + std::to_string(checkpoint.state.batch + 1) +
                " of an epoch that now has " + std::to_string(batches_.num_batches()) +
                " batches: the training data changed");
  }
  network_.params() = std::move(checkpoint.params);
  network_.dropout_rng().set_state(checkpoint.dropout_rng);
  optimizer.state() = std::move(checkpoint.optimizer_state);
  optimizer.set_iterations(checkpoint.optimizer_steps);
  state_ = checkpoint.state;
  result_.history = std::move(checkpoint.history);
  early_stopping_.state() = checkpoint.early_stopping;
  early_stopping_.best_params() = std::move(checkpoint.best_params);
  save_best_.state() = checkpoint.save_best;
}

// batch -> step -> metrics -> callbacks -> checkpoint, once per epoch.
TrainResult Trainer::run() {
  const std::size_t num_batches = batches_.num_batches();
  while (state_.epoch < training_.epochs) {
    const auto epoch_start = Clock::now();
    listener_.epoch_begin(state_.epoch + 1, training_.epochs, num_batches);
    if (training_.shuffle) batches_.shuffle(training_.seed, static_cast<std::uint64_t>(state_.epoch));
    else batches_.unshuffle();

    for (std::size_t b = state_.batch; b < num_batches; ++b) {
      const data::Batch batch = batches_.batch(b);
      const double learning_rate =
          optim::learning_rate_at(training_.optimizer, stepper_.optimizer().iterations(), total_steps_);
      const StepResult step = stepper_.step({batch.x, batch.images}, batch.onehot, batch.labels, batch.size,
                                            static_cast<float>(learning_rate));
      record_batch(b, batch.size, step, learning_rate);
      if (stop_requested() && b + 1 < num_batches) {
        state_.batch = b + 1;
        save_checkpoint();
        return finish(StopReason::Interrupted);
      }
    }

    const EpochMetrics metrics = end_epoch(epoch_start);
    const bool stop_early = run_callbacks(metrics);
    ++state_.epoch;  // the checkpoint names the NEXT epoch, so a resume starts there
    save_checkpoint();
    if (stop_early) return finish(StopReason::EarlyStopped);
    if (stop_requested() && state_.epoch < training_.epochs) return finish(StopReason::Interrupted);
  }
  return finish(StopReason::Completed);
}

void Trainer::record_batch(std::size_t batch, std::size_t size, const StepResult& step,
                           double learning_rate) {
  const std::size_t num_batches = batches_.num_batches();
  if (!std::isfinite(step.loss)) {
    throw Error("training diverged: loss is " + std::string(std::isnan(step.loss) ? "NaN" : "infinite") +
                " at epoch " + std::to_string(state_.epoch + 1) + ", batch " + std::to_string(batch + 1) +
                " of " + std::to_string(num_batches) +
                "; no model was written (try a lower learning rate or clipnorm)");
  }
  last_learning_rate_ = learning_rate;
  state_.loss_sum += step.loss * static_cast<double>(size);
  state_.correct += step.correct;
  state_.seen += size;
  batch_log_.record({stepper_.optimizer().iterations(), state_.epoch + 1, batch + 1, step.loss,
                     static_cast<double>(step.correct) / static_cast<double>(size), learning_rate});
  listener_.batch_end(batch + 1, num_batches, state_.loss_sum / static_cast<double>(state_.seen),
                      static_cast<double>(state_.correct) / static_cast<double>(state_.seen));
}

EpochMetrics Trainer::end_epoch(Clock::time_point epoch_start) {
  EpochMetrics metrics;
  metrics.epoch = state_.epoch + 1;
  metrics.loss = state_.loss_sum / static_cast<double>(state_.seen);
  metrics.accuracy = static_cast<double>(state_.correct) / static_cast<double>(state_.seen);
  if (data_.validation.count > 0) {
    const Evaluation validation = evaluate(network_, data_.validation, training_.loss, batch_size_);
    metrics.has_validation = true;
    metrics.val_loss = validation.loss;
    metrics.val_accuracy = validation.accuracy;
  }
  metrics.learning_rate = last_learning_rate_;
  metrics.seconds = seconds_since(epoch_start);
  metrics.samples_per_second = static_cast<double>(state_.seen) / std::max(metrics.seconds, 1e-9);
  result_.history.push_back(metrics);
  state_ = {state_.epoch, 0, 0.0, 0, 0};
  folder_->write_metrics(result_.history);
  listener_.epoch_end(metrics);
  return metrics;
}

// Returns true when early stopping ends the run.
bool Trainer::run_callbacks(const EpochMetrics& metrics) {
  if (save_best_.on_epoch_end(metrics)) folder_->write_best(config_, network_);
  return early_stopping_.on_epoch_end(metrics, network_.params());
}

// The batch log first: the checkpoint's step count must never run ahead of it.
void Trainer::save_checkpoint() {
  folder_->append_batches(batch_log_.take_lines());
  folder_->write_checkpoint({config_, state_, stepper_.optimizer().iterations(),
                             network_.dropout_rng().state(), result_.history, early_stopping_.state(),
                             save_best_.state()},
                            {network_.params(), stepper_.optimizer().state(), early_stopping_.best_params()});
}

TrainResult Trainer::finish(StopReason reason) {
  result_.reason = reason;
  result_.epochs_run = state_.epoch;
  if (reason != StopReason::Interrupted) {
    early_stopping_.on_train_end(network_.params());
    folder_->write_model(config_, network_);
    result_.test = evaluate(network_, data_.test, training_.loss, batch_size_);
    result_.seconds = seconds_since(start_);
    folder_->write_summary(result_, config_);
  } else {
    result_.seconds = seconds_since(start_);
  }
  result_.files = folder_->written();
  return result_;
}

}  // namespace

TrainResult train(const config::Config& config, const TrainOptions& options,
                  TrainListener& listener) {
  return Trainer(config, options, listener).run();
}

}  // namespace mnisttrain::train
