// Keras-style progress on stderr. On a terminal the epoch's line is redrawn in place (at most
// ten times a second) with an ETA; anywhere else (a log file, CI) each epoch prints exactly one
// plain line, never carriage-return spam. A redrawn line never exceeds the terminal's width
// (a wrapped line could not be redrawn in place).
#pragma once

#include "train/trainer.h"

#include <chrono>

namespace mnisttrain::cli {

class ProgressBar : public train::TrainListener {
 public:
  explicit ProgressBar(bool enabled);
  void epoch_begin(int epoch, int epochs, std::size_t batches) override;
  void batch_end(std::size_t batch, std::size_t batches, double loss, double accuracy) override;
  void epoch_end(const train::EpochMetrics& metrics) override;
  // Ends a half-drawn bar line, so that what is printed next (after Ctrl-C) starts a line.
  void end_line();

 private:
  bool enabled_;
  bool terminal_;
  bool line_open_ = false;  // a redrawn bar is on screen without its newline
  std::size_t batches_ = 0;
  std::size_t first_batch_ = 0;  // a resumed epoch starts mid-way; the ETA counts from there
  double loss_ = 0.0;
  double accuracy_ = 0.0;
  std::chrono::steady_clock::time_point epoch_start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace mnisttrain::cli
