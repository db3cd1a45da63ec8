// The benchmark's timing harness: one warm-up call, then timed calls until the budget is spent
// (no wall-clock value is asserted, only how the work was called).
#include "bench/timing.h"

#include <catch2/catch.hpp>

#include <cmath>

using mnisttrain::bench::per_call_seconds;

TEST_CASE("per_call_seconds warms up once, then times at least one call", "[bench]") {
  int calls = 0;
  const auto timing = per_call_seconds([&] { ++calls; }, 0.0);
  CHECK(timing.calls == 1);
  CHECK(calls == 2);
  CHECK(std::isfinite(timing.seconds_per_call));
  CHECK(timing.seconds_per_call >= 0.0);

  calls = 0;
  const auto longer = per_call_seconds([&] { ++calls; }, 0.01);
  CHECK(longer.calls >= 1);
  CHECK(calls == longer.calls + 1);
}
