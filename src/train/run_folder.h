// The run folder and the only code that writes its files. Every whole file goes through a
// temporary name and a rename; batches.jsonl grows by appends and is cut back to the
// checkpoint's step on resume. Opening takes an exclusive lock on the folder (a second run
// into it is refused, naming the holder), removes temporary files that dead writers left, and
// refuses a folder holding files unless the run is resumed or --overwrite clears them.
#pragma once

#include "config/config.h"
#include "nn/network.h"
#include "train/checkpoint.h"
#include "train/run_record.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mnisttrain::train {

enum class FolderMode {
  New,        // the folder must be empty or absent
  Overwrite,  // the folder's known files are removed first
  Resume,     // the files are the run's own; batches.jsonl is cut back to the checkpoint
};

class RunFolder {
 public:
  // The files a run writes, in the order `train` lists them. The lock file .lock stays.
  static const std::vector<std::string>& known_files();

  RunFolder(const std::string& dir, FolderMode mode, std::int64_t resume_step = 0);

  const std::string& dir() const { return dir_; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  void write_checkpoint(const CheckpointHeader& header, const CheckpointArrays& arrays);
  void write_model(const config::Config& config, const nn::Network& network);
  void write_best(const config::Config& config, const nn::Network& network);
  // metrics.jsonl and metrics.csv from the history.
  void write_metrics(const std::vector<EpochMetrics>& history);
  void append_batches(const std::string& lines);
  void write_summary(const RunRecord& record, const config::Config& config);

  // Names of the files this run wrote, each once, in the order of known_files().
  std::vector<std::string> written() const;

 private:
  void wrote(const std::string& name);
  void lock();
  void remove_stale_temporaries() const;
  void prepare(FolderMode mode, std::int64_t resume_step);

  // Closing the descriptor releases the flock, also when the constructor throws.
  struct LockFile {
    int fd = -1;
    LockFile() = default;
    LockFile(const LockFile&) = delete;
    LockFile& operator=(const LockFile&) = delete;
    ~LockFile();
  };

  std::string dir_;
  LockFile lock_;
  std::vector<std::string> written_;
};

}  // namespace mnisttrain::train
