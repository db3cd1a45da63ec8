// JSON lines of the per-batch log; see batch_log.h.
#include "train/batch_log.h"

#include <cstdio>

namespace mnisttrain::train {

std::string BatchLog::take_lines() {
  std::string lines;
  char line[256];
  for (const BatchRecord& r : pending_) {
    std::snprintf(line, sizeof line,
                  "{\"step\":%lld,\"epoch\":%d,\"batch\":%zu,\"loss\":%.17g,\"accuracy\":%.17g,"
                  "\"learning_rate\":%.17g}\n",
                  static_cast<long long>(r.step), r.epoch, r.batch, r.loss, r.accuracy,
                  r.learning_rate);
    lines += line;
  }
  pending_.clear();
  return lines;
}

}  // namespace mnisttrain::train
