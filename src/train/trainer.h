// Training: loads and checks the data, builds the network, restores a checkpoint when
// resuming, then runs the epoch loop (batch -> step -> metrics -> callbacks -> checkpoint)
// and evaluates the test set at the end. Files go through the RunFolder; progress goes to a
// listener instead of being printed.
#pragma once

#include "config/config.h"
#include "train/run_record.h"

#include <atomic>
#include <string>
#include <vector>

namespace mnisttrain::train {

class TrainListener {
 public:
  virtual ~TrainListener() = default;
  virtual void epoch_begin(int /*epoch*/, int /*epochs*/, std::size_t /*batches*/) {}
  // Running means over the epoch so far, as Keras's progress bar shows them.
  virtual void batch_end(std::size_t /*batch*/, std::size_t /*batches*/, double /*loss*/,
                         double /*accuracy*/) {}
  virtual void epoch_end(const EpochMetrics& /*metrics*/) {}
};

struct TrainOptions {
  std::string resume_path;  // a checkpoint.bin to continue from; its config must match
  bool overwrite = false;   // a run folder holding files is cleared instead of refused
  // Polled after every batch (set by the SIGINT handler): finish the batch, checkpoint, return.
  const std::atomic<bool>* stop_requested = nullptr;
};

// The run record, and where it was written.
struct TrainResult : RunRecord {
  std::string run_dir;
  std::string checkpoint_path;
  std::vector<std::string> files;  // names of the files written into run_dir
};

TrainResult train(const config::Config& config, const TrainOptions& options,
                  TrainListener& listener);

}  // namespace mnisttrain::train
