// The training loop: mini-batches over the shuffled training set, forward, loss, backward,
// one optimizer step per batch; validation and callbacks at each epoch's end; the test set at
// the end. It writes the run folder (model.bin, metrics.jsonl, summary.json, checkpoint.bin)
// and reports progress to a listener instead of printing.
#pragma once

#include "config/config.h"
#include "train/evaluate.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <string>

namespace mnisttrain::train {

struct EpochMetrics {
  int epoch = 0;  // 1-based, as Keras prints it
  double loss = 0.0;
  double accuracy = 0.0;
  bool has_validation = false;
  double val_loss = 0.0;
  double val_accuracy = 0.0;
  double learning_rate = 0.0;
  double seconds = 0.0;
  double samples_per_second = 0.0;

  nlohmann::json to_json() const;
};

class TrainListener {
 public:
  virtual ~TrainListener() = default;
  virtual void epoch_begin(int /*epoch*/, int /*epochs*/, std::size_t /*batches*/) {}
  // Running means over the epoch so far, as Keras's progress bar shows them.
  virtual void batch_end(std::size_t /*batch*/, std::size_t /*batches*/, double /*loss*/,
                         double /*accuracy*/) {}
  virtual void epoch_end(const EpochMetrics& /*metrics*/) {}
};

enum class StopReason { Completed, EarlyStopped, Interrupted };

struct TrainOptions {
  std::string resume_path;  // a checkpoint.bin to continue from; its config must match
  // Polled after every batch (set by the SIGINT handler): finish the batch, checkpoint, return.
  const std::atomic<bool>* stop_requested = nullptr;
};

struct TrainResult {
  StopReason reason = StopReason::Completed;
  int epochs_run = 0;
  Evaluation test;  // empty (count 0) when interrupted
  double seconds = 0.0;
  std::size_t param_count = 0;
  std::string run_dir;
  std::string checkpoint_path;
  std::string blas;
  int threads = 0;
};

TrainResult train(const config::Config& config, const TrainOptions& options,
                  TrainListener& listener);

}  // namespace mnisttrain::train
