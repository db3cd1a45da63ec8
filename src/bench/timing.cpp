// The timing harness; see timing.h.
#include "bench/timing.h"

#include <chrono>

namespace mnisttrain::bench {

Timing per_call_seconds(const std::function<void()>& work, double budget_seconds) {
  using Clock = std::chrono::steady_clock;
  work();
  Timing timing;
  const auto start = Clock::now();
  double elapsed = 0.0;
  do {
    work();
    ++timing.calls;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < budget_seconds);
  timing.seconds_per_call = elapsed / timing.calls;
  return timing;
}

}  // namespace mnisttrain::bench
