// The run folder's writer; see run_folder.h.
#include "train/run_folder.h"

#include "error.h"
#include "io/atomic_file.h"
#include "train/machine.h"
#include "train/saved_model.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace mnisttrain::train {

namespace fs = std::filesystem;

static const char* kLockFile = ".lock";

const std::vector<std::string>& RunFolder::known_files() {
  // report.html is written after training from these files (report/), not here; it is listed
  // so that --overwrite removes an earlier run's report with the rest.
  static const std::vector<std::string> files = {"model.bin",   "best.bin",    "metrics.jsonl",
                                                 "metrics.csv", "batches.jsonl", "summary.json",
                                                 "checkpoint.bin", "report.html"};
  return files;
}

RunFolder::RunFolder(const std::string& dir, FolderMode mode, std::int64_t resume_step)
    : dir_(dir) {
  std::error_code error;
  fs::create_directories(dir_, error);
  if (error) throw Error(dir_ + ": cannot create the run folder: " + error.message());
  lock();
  remove_stale_temporaries();
  prepare(mode, resume_step);
}

RunFolder::LockFile::~LockFile() {
  if (fd >= 0) ::close(fd);
}

// flock says only that the lock is held, so the holder writes its pid into the lock file for
// the message a second run gets.
void RunFolder::lock() {
  const std::string lock_path = path(kLockFile);
  lock_.fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_.fd < 0) throw Error(lock_path + ": cannot open the lock file: " + std::strerror(errno));
  if (::flock(lock_.fd, LOCK_EX | LOCK_NB) != 0) {
    char holder[32] = {0};
    const ssize_t got = ::pread(lock_.fd, holder, sizeof holder - 1, 0);
    std::string pid = got > 0 ? std::string(holder, static_cast<std::size_t>(got)) : "";
    pid.erase(std::remove(pid.begin(), pid.end(), '\n'), pid.end());
    throw Error(dir_ + ": the run folder is in use by another mnisttrain (process " +
                (pid.empty() ? std::string("unknown") : pid) + "); wait for it or choose another --out");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(lock_.fd, 0) != 0 || ::pwrite(lock_.fd, pid.data(), pid.size(), 0) < 0) {
    throw Error(lock_path + ": cannot write the lock file: " + std::strerror(errno));
  }
}

// "<name>.tmp.<pid>" from io::write_file_atomic, left behind when its writer died mid-write.
void RunFolder::remove_stale_temporaries() const {
  for (const auto& entry : fs::directory_iterator(dir_)) {
    const std::string name = entry.path().filename().string();
    const std::size_t at = name.rfind(".tmp.");
    if (at == std::string::npos) continue;
    const std::string digits = name.substr(at + 5);
    if (digits.empty() || digits.size() > 9 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    const pid_t pid = static_cast<pid_t>(std::stol(digits));
    if (::kill(pid, 0) != 0 && errno == ESRCH) {
      std::error_code ignored;
      fs::remove(entry.path(), ignored);
    }
  }
}

void RunFolder::prepare(FolderMode mode, std::int64_t resume_step) {
  if (mode == FolderMode::Overwrite) {
    for (const std::string& name : known_files()) fs::remove(path(name));
    return;
  }
  if (mode == FolderMode::Resume) {
    // Keep the batches the checkpoint counts, drop any logged after it (or a cut-off line).
    std::ifstream in(path("batches.jsonl"));
    std::string kept, line;
    for (std::int64_t n = 0; n < resume_step && std::getline(in, line); ++n) kept += line + "\n";
    io::write_file_atomic(path("batches.jsonl"), kept);
    return;
  }
  std::vector<std::string> present;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    const std::string name = entry.path().filename().string();
    if (name != kLockFile) present.push_back(name);
  }
  if (!present.empty()) {
    std::sort(present.begin(), present.end());
    throw Error(dir_ + ": the run folder already holds " + present.front() +
                (present.size() > 1 ? " and " + std::to_string(present.size() - 1) + " more" : "") +
                "; pass --overwrite to replace its run files, --resume " + path("checkpoint.bin") +
                " to continue it, or choose another --out");
  }
}

void RunFolder::wrote(const std::string& name) {
  if (std::find(written_.begin(), written_.end(), name) == written_.end()) written_.push_back(name);
}

void RunFolder::write_checkpoint(const CheckpointHeader& header, const CheckpointArrays& arrays) {
  save_checkpoint(path("checkpoint.bin"), header, arrays);
  wrote("checkpoint.bin");
}

void RunFolder::write_model(const config::Config& config, const nn::Network& network) {
  save_model(path("model.bin"), config, network);
  wrote("model.bin");
}

void RunFolder::write_best(const config::Config& config, const nn::Network& network) {
  save_model(path("best.bin"), config, network);
  wrote("best.bin");
}

void RunFolder::write_metrics(const std::vector<EpochMetrics>& history) {
  io::write_file_atomic(path("metrics.jsonl"), metrics_jsonl(history));
  io::write_file_atomic(path("metrics.csv"), metrics_csv(history));
  wrote("metrics.jsonl");
  wrote("metrics.csv");
}

void RunFolder::append_batches(const std::string& lines) {
  const std::string file = path("batches.jsonl");
  std::ofstream out(file, std::ios::binary | std::ios::app);
  out << lines;
  out.flush();
  if (!out) throw Error(file + ": cannot append the batch log: " + std::strerror(errno));
  wrote("batches.jsonl");
}

void RunFolder::write_summary(const RunRecord& record, const config::Config& config) {
  const nlohmann::json summary = {
      {"test_loss", record.test.loss},
      {"test_accuracy", record.test.accuracy},
      {"test_accuracy_stderr", record.test.accuracy_stderr()},
      {"test_samples", record.test.count},
      {"epochs_run", record.epochs_run},
      {"stopped", record.reason == StopReason::EarlyStopped ? "early_stopping" : "completed"},
      {"seconds", record.seconds},
      {"param_count", record.param_count},
      {"seed", config.training.seed},
      {"threads", record.threads},
      {"input_density", record.input_density},
      {"first_layer", record.sparse_input ? "sparse" : "dense"},
      {"blas", record.blas},
      {"machine", machine_description()},
      {"mnisttrain_version", MNISTTRAIN_VERSION},
      {"config", config::to_json(config)},
  };
  io::write_file_atomic(path("summary.json"), summary.dump(2) + "\n");
  wrote("summary.json");
}

std::vector<std::string> RunFolder::written() const {
  std::vector<std::string> ordered;
  for (const std::string& name : known_files()) {
    if (std::find(written_.begin(), written_.end(), name) != written_.end()) ordered.push_back(name);
  }
  return ordered;
}

}  // namespace mnisttrain::train
