// The progress bar; see progress.h.
#include "cli/progress.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/ioctl.h>
#include <unistd.h>

namespace mnisttrain::cli {

using Clock = std::chrono::steady_clock;

static std::string bar(std::size_t done, std::size_t total, std::size_t width = 30) {
  if (width < 3) return "";
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

// Columns of the terminal on stderr; COLUMNS when the ioctl cannot tell; 80 otherwise.
static std::size_t terminal_columns() {
  winsize size{};
  if (::ioctl(2, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  const char* columns = std::getenv("COLUMNS");
  const long parsed = columns ? std::strtol(columns, nullptr, 10) : 0;
  return parsed > 0 ? static_cast<std::size_t>(parsed) : 80;
}

// `head` + bar + `tail` in at most `columns - 1` characters (the last column would wrap on
// some terminals): the bar shrinks first, then the text is cut.
static std::string fitted(const std::string& head, std::size_t done, std::size_t total, const std::string& tail,
                          std::size_t columns) {
  const std::size_t room = columns > 1 ? columns - 1 : 0;
  const std::size_t text = head.size() + tail.size();
  const std::size_t bar_width = room > text + 2 ? std::min<std::size_t>(30, room - text - 2) : 0;
  std::string line = head + bar(done, total, bar_width) + tail;
  if (line.size() > room) line.resize(room);
  return line;
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
  char tail[128];
  std::snprintf(tail, sizeof tail, " - ETA: %s - loss: %.4f - accuracy: %.4f", duration(eta).c_str(), loss, accuracy);
  const std::string head = std::to_string(batch) + "/" + std::to_string(batches) + " ";
  std::fprintf(stderr, "\r%s\x1b[K", fitted(head, batch, batches, tail, terminal_columns()).c_str());
  std::fflush(stderr);
  line_open_ = true;
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
  line_open_ = false;
}

void ProgressBar::end_line() {
  if (line_open_) std::fputc('\n', stderr);
  line_open_ = false;
}

}  // namespace mnisttrain::cli
