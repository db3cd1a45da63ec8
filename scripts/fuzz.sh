#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) into build-fuzz/ and runs each one for
# SECONDS (default 20) from seed corpora cut from the real MNIST files. Any crash, leak,
# uncaught exception, timeout or memory overrun fails the script; the input that caused it is
# left in build-fuzz/findings/. Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-20}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(idx model config)
jobs=$(nproc 2>/dev/null || echo 2)
build="$root/build-fuzz"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DMNISTTRAIN_FUZZ=ON -DMNISTTRAIN_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target mnisttrain "${targets[@]/#/fuzz_}" >/dev/null
[[ -d "$build/seeds" ]] || python3 "$root/scripts/fuzz_seeds.py" "$root/data/mnist" "$build/mnisttrain" "$build/seeds"
mkdir -p "$build/findings"

# Model files are ~32 kB; the other inputs stay small.
declare -A max_len=([idx]=4096 [model]=40000 [config]=4096)
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  echo "fuzz_$target: ${seconds} s" >&2
  "$build/fuzz_$target" -rss_limit_mb=512 -malloc_limit_mb=256 -timeout=5 -max_len="${max_len[$target]}" \
    -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$build/findings/$target-" \
    "$corpus" "$build/seeds/$target" 2>"$build/fuzz_$target.log" ||
    { tail -40 "$build/fuzz_$target.log" >&2; exit 1; }
  grep -E "^stat::number_of_executed_units" "$build/fuzz_$target.log" >&2
done
