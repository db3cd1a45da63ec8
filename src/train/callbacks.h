// Keras's epoch-end callbacks as objects that own their monitor state: early stopping (with
// restore_best_weights) and save-best. The loop calls on_epoch_end; the state goes into the
// checkpoint so a resumed run decides exactly as an uninterrupted one.
#pragma once

#include "config/config.h"
#include "train/run_record.h"

#include <string>
#include <vector>

namespace mnisttrain::train {

enum class Monitor { Loss, Accuracy, ValLoss, ValAccuracy };

// "val_loss" -> Monitor::ValLoss; the config parser has already refused other names.
Monitor monitor_named(const std::string& name);
double monitored_value(Monitor monitor, const EpochMetrics& metrics);

// The best value seen so far and the epochs waited since (Keras's `best` and `wait`).
struct MonitorState {
  bool has_best = false;
  double best = 0.0;
  int best_epoch = 0;
  int wait = 0;
};

// Keras semantics: losses improve downwards, accuracies upwards, by more than min_delta.
bool improves(Monitor monitor, double value, const MonitorState& state, double min_delta);

class EarlyStopping {
 public:
  explicit EarlyStopping(const config::EarlyStoppingConfig& settings);
  // Returns true when training should stop. On an improvement with restore_best_weights the
  // current parameters are kept as the best ones.
  bool on_epoch_end(const EpochMetrics& metrics, const std::vector<float>& params);
  // Keras 3 restores the best weights at the end of training, stopped early or not.
  void on_train_end(std::vector<float>& params) const;

  MonitorState& state() { return state_; }
  std::vector<float>& best_params() { return best_params_; }

 private:
  config::EarlyStoppingConfig settings_;
  Monitor monitor_;
  MonitorState state_;
  std::vector<float> best_params_;  // empty unless restore_best_weights has a best
};

class SaveBest {
 public:
  explicit SaveBest(const config::SaveBestConfig& settings);
  // True when this epoch is the best so far: the caller writes best.bin.
  bool on_epoch_end(const EpochMetrics& metrics);

  MonitorState& state() { return state_; }

 private:
  bool enabled_;
  Monitor monitor_;
  MonitorState state_;
};

}  // namespace mnisttrain::train
