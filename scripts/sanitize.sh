#!/usr/bin/env bash
# Builds the unit tests with AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/ and
# runs the fast ones (everything but the end-to-end tests that spawn the binary on real MNIST).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
build="$root/build-asan"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DMNISTTRAIN_SANITIZE=ON >/dev/null
cmake --build "$build" -j "$jobs" --target mnisttrain_tests >/dev/null
cd "$root"
# detect_leaks stays on; halt_on_error makes the first report fail the run.
ASAN_OPTIONS=halt_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$build/mnisttrain_tests" "~[cli]" "~[hardening]"
