#!/usr/bin/env bash
# Sets up, builds and runs every test, then the unit tests under ASan + UBSan and a short run
# of every fuzz target. The end-to-end tests use real MNIST, fetched first.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
bash "$root/scripts/fetch_mnist.sh"
(cd "$root/build" && ctest --output-on-failure -j "$(nproc 2>/dev/null || echo 2)")
# The unit tests again under ASan + UBSan, then a short run of every fuzz target.
bash "$root/scripts/sanitize.sh"
bash "$root/scripts/fuzz.sh" 20
