// checkpoint.bin: everything a run needs to continue exactly where it stopped — weights,
// optimizer moments and step count, the dropout RNG state, the data cursor (epoch and batch;
// the shuffle order is a function of seed and epoch), the running sums of the epoch in
// progress, the metrics history and the callbacks' state. Same container as model.bin.
#pragma once

#include "config/config.h"
#include "train/callbacks.h"
#include "train/run_record.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace mnisttrain::train {

struct LoopState {
  int epoch = 0;              // 0-based epoch to run next (or in progress)
  std::size_t batch = 0;      // next batch within that epoch
  double loss_sum = 0.0;      // sum over the epoch's samples so far of per-sample loss
  std::size_t correct = 0;
  std::size_t seen = 0;
};

// What the checkpoint's JSON header holds: everything but the arrays.
struct CheckpointHeader {
  config::Config config;
  LoopState state;
  std::int64_t optimizer_steps = 0;          // the optimizer's iterations()
  std::array<std::uint64_t, 4> dropout_rng{};  // the network's dropout stream
  std::vector<EpochMetrics> history;           // the run record's, one per finished epoch
  MonitorState early_stopping;
  MonitorState save_best;
};

// The arrays to save, read where they lie: the trainer saves every epoch, and copying its
// megabytes of weights and moments into fresh memory first cost more than writing them.
struct CheckpointArrays {
  const std::vector<float>& params;
  const std::vector<float>& optimizer_state;
  const std::vector<float>& best_params;  // empty unless restore_best_weights has a best
};

struct Checkpoint : CheckpointHeader {
  std::vector<float> params;
  std::vector<float> optimizer_state;
  std::vector<float> best_params;  // empty unless restore_best_weights has a best
};

void save_checkpoint(const std::string& path, const CheckpointHeader& header, const CheckpointArrays& arrays);
void save_checkpoint(const std::string& path, const Checkpoint& checkpoint);
Checkpoint load_checkpoint(const std::string& path);

}  // namespace mnisttrain::train
