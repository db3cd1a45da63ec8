// What the report reads from a run folder: summary.json (config and final results),
// metrics.jsonl (one record per epoch) and, when the run wrote it, batches.jsonl (the training
// loss of every batch). model.bin is read separately, where the figures need the network.
#pragma once

#include "train/batch_log.h"
#include "train/run_record.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace mnisttrain::report {

struct RunFiles {
  std::string dir;
  nlohmann::json summary;                   // summary.json as written by train
  std::vector<train::EpochMetrics> epochs;  // metrics.jsonl
  std::vector<train::BatchRecord> batches;  // batches.jsonl; empty when the run has none
};

// Throws mnisttrain::Error naming the file (and line) when summary.json or metrics.jsonl is
// missing or not what train writes. A missing batches.jsonl is not an error.
RunFiles read_run(const std::string& dir);

// The folder's last path component ("runs/adam/" -> "adam"), to name a run in legends.
std::string run_name(const std::string& dir);

}  // namespace mnisttrain::report
