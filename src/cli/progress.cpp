// The progress bar; see progress.h.
#include "cli/progress.h"

#include <cstdio>
#include <string>
#include <unistd.h>

namespace mnisttrain::cli {

using Clock = std::chrono::steady_clock;

static std::string bar(std::size_t done, std::size_t total) {
  const std::size_t width = 30;
  const std::size_t filled = total ? done * width / total : width;
  std::string s(filled, '=');
  if (filled < width) s += '>' + std::string(width - filled - 1, '.');
  return "[" + s + "]";
}

static std::string duration(double seconds) {
  char buf[32];
  if (seconds >= 3600) std::snprintf(buf, sizeof buf, "%d:%02d:%02d", int(seconds) / 3600, int(seconds) / 60 % 60, int(seconds) % 60);
  else if (seconds >= 60) std::snprintf(buf, sizeof buf, "%d:%02d", int(seconds) / 60, int(seconds) % 60);
  else std::snprintf(buf, sizeof buf, "%.0fs", seconds);
  return buf;
}

ProgressBar::ProgressBar(bool enabled) : enabled_(enabled), terminal_(::isatty(2) != 0) {}

void ProgressBar::epoch_begin(int epoch, int epochs, std::size_t batches) {
  batches_ = batches;
  first_batch_ = 0;
  epoch_start_ = Clock::now();
  last_draw_ = {};
  if (enabled_) std::fprintf(stderr, "Epoch %d/%d\n", epoch, epochs);
}

void ProgressBar::batch_end(std::size_t batch, std::size_t batches, double loss, double accuracy) {
  if (first_batch_ == 0) first_batch_ = batch;
  loss_ = loss;
  accuracy_ = accuracy;
  if (!enabled_ || !terminal_ || batch == batches) return;
  const auto now = Clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - epoch_start_).count();
  const double per_batch = elapsed / static_cast<double>(batch - first_batch_ + 1);
  const double eta = per_batch * static_cast<double>(batches - batch);
  std::fprintf(stderr, "\r%zu/%zu %s - ETA: %s - loss: %.4f - accuracy: %.4f\x1b[K", batch, batches,
               bar(batch, batches).c_str(), duration(eta).c_str(), loss, accuracy);
  std::fflush(stderr);
}

void ProgressBar::epoch_end(const train::EpochMetrics& m) {
  if (!enabled_) return;
  const std::size_t ran = batches_ - (first_batch_ ? first_batch_ - 1 : 0);
  const double ms_per_step = 1000.0 * m.seconds / static_cast<double>(ran ? ran : 1);
  std::string line = std::to_string(batches_) + "/" + std::to_string(batches_) + " " +
                     bar(batches_, batches_) + " - " + duration(m.seconds) + " " +
                     std::to_string(static_cast<long>(ms_per_step + 0.5)) + "ms/step";
  char buf[160];
  std::snprintf(buf, sizeof buf, " - loss: %.4f - accuracy: %.4f", m.loss, m.accuracy);
  line += buf;
  if (m.has_validation) {
    std::snprintf(buf, sizeof buf, " - val_loss: %.4f - val_accuracy: %.4f", m.val_loss, m.val_accuracy);
    line += buf;
  }
  // On a terminal: return to the line start, overwrite, and erase what the longer bar left.
  std::fprintf(stderr, terminal_ ? "\r%s\x1b[K\n" : "%s\n", line.c_str());
}

}  // namespace mnisttrain::cli
