// The per-batch training log (batches.jsonl): one record per optimizer step, kept in a buffer
// reserved for a whole epoch so recording allocates nothing in the batch loop, and turned into
// JSON lines only when the run folder appends them (at epoch end and at an interruption).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mnisttrain::train {

struct BatchRecord {
  std::int64_t step = 0;    // optimizer steps taken after this batch (1-based)
  int epoch = 0;            // 1-based, as metrics.jsonl counts
  std::size_t batch = 0;    // 1-based within the epoch
  double loss = 0.0;        // this batch's mean loss (plus the L2 term)
  double accuracy = 0.0;    // this batch's accuracy
  double learning_rate = 0.0;
};

class BatchLog {
 public:
  explicit BatchLog(std::size_t batches_per_epoch) { pending_.reserve(batches_per_epoch); }
  // Within the reserved capacity: no allocation.
  void record(const BatchRecord& record) { pending_.push_back(record); }
  // The pending records as JSON lines, and clears them (keeping the capacity).
  std::string take_lines();

 private:
  std::vector<BatchRecord> pending_;
};

}  // namespace mnisttrain::train
