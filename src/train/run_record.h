// The typed record of a run: one EpochMetrics per finished epoch and, once training ends, the
// final results. metrics.jsonl, metrics.csv and summary.json are written from it, the
// checkpoint stores its history, and a report can be rebuilt from those files.
#pragma once

#include "train/evaluate.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

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
};

// One metrics.jsonl line (val_* only with validation) and back; from_json throws
// nlohmann::json::exception on a missing or mistyped key.
nlohmann::json to_json(const EpochMetrics& metrics);
EpochMetrics epoch_from_json(const nlohmann::json& record);

enum class StopReason { Completed, EarlyStopped, Interrupted };

struct RunRecord {
  std::vector<EpochMetrics> history;  // one per finished epoch
  // Final results, set when training ends.
  StopReason reason = StopReason::Completed;
  int epochs_run = 0;
  Evaluation test;  // empty (count 0) when interrupted
  double seconds = 0.0;
  double load_seconds = 0.0;   // reading and checking the data files, before the first step
  std::size_t param_count = 0;
  std::string blas;
  int threads = 0;             // the workers that ran the steps
  double input_density = 0.0;  // fraction of non-zero training pixels
  bool sparse_input = false;   // the first layer skipped the zero pixels
};

// metrics.jsonl: one JSON object per epoch.
std::string metrics_jsonl(const std::vector<EpochMetrics>& history);
// metrics.csv as Keras's CSVLogger writes it: epoch (0-based), then the metric names sorted
// (accuracy, learning_rate, loss, val_accuracy, val_loss), one row per epoch.
std::string metrics_csv(const std::vector<EpochMetrics>& history);

}  // namespace mnisttrain::train
