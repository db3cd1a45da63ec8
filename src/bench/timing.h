// The benchmark's timing harness: how long one call of some work takes, averaged over as many
// calls as fit in a time budget after one warm-up call.
#pragma once

#include <functional>

namespace mnisttrain::bench {

struct Timing {
  double seconds_per_call = 0.0;
  int calls = 0;  // timed calls, not counting the warm-up
};

// The warm-up call pays for first-touch pages and thread start-up; then `work` runs until
// `budget_seconds` have passed (at least once).
Timing per_call_seconds(const std::function<void()>& work, double budget_seconds);

}  // namespace mnisttrain::bench
