#!/usr/bin/env bash
# Compares two builds of mnisttrain phase by phase, the way the README's "alternating `bench`
# pairs" were measured: `mnisttrain bench --json` of each in turn for ROUNDS rounds (A then B,
# then B then A, so that neither always runs first), then for every phase at 1 and 2 threads
# each build's fastest time and the ratio B / A of each round (median and range). A and B are
# git revisions, built in temporary worktrees, or paths to mnisttrain binaries. Benchmarks are
# not tests: on a shared machine single runs mislead; the fastest runs and the median ratio
# hold up better.
#   scripts/bench_ab.sh A B [ROUNDS] [--seconds S]    (default: 6 rounds, 1 s per measurement)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
usage() { echo "usage: $0 A B [ROUNDS] [--seconds S]  (A, B: git revisions or mnisttrain binaries)" >&2; exit 2; }
builds=()
rounds=6
got_rounds=0
seconds=1
while (($#)); do
  case $1 in
    --seconds) [[ $# -ge 2 ]] || usage; seconds=$2; shift ;;
    -*) usage ;;
    *)
      if ((${#builds[@]} < 2)); then builds+=("$1")
      elif ((got_rounds == 0)); then rounds=$1; got_rounds=1
      else usage
      fi ;;
  esac
  shift
done
((${#builds[@]} == 2)) || usage
[[ $rounds =~ ^[1-9][0-9]*$ ]] || usage

work=$(mktemp -d)
trees=()
cleanup() {
  for tree in "${trees[@]}"; do git -C "$root" worktree remove --force "$tree" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Sets `binary` to the build given: the file itself, or the revision built in a worktree of its
# own (Release, as build.sh does).
resolve() {
  local which=$1 build=$2 commit
  if [[ -f $build && -x $build ]]; then
    binary=$(realpath "$build")
    return
  fi
  commit=$(git -C "$root" rev-parse --verify --quiet "$build^{commit}") || {
    echo "bench_ab: $build is neither an executable file nor a git revision" >&2
    exit 2
  }
  local tree=$work/tree-$which
  git -C "$root" worktree add --quiet --detach "$tree" "$commit"
  trees+=("$tree")
  echo "bench_ab: building $build ($commit) ..." >&2
  cmake -S "$tree" -B "$tree/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$tree/build" -j "$(nproc 2>/dev/null || echo 2)" --target mnisttrain >/dev/null
  binary=$tree/build/mnisttrain
}

resolve a "${builds[0]}"
bin_a=$binary
resolve b "${builds[1]}"
bin_b=$binary
bash "$root/scripts/fetch_mnist.sh" >&2
cd "$root"  # bench reads data/mnist from here

for ((round = 1; round <= rounds; round++)); do
  order=(a b)
  ((round % 2 == 0)) && order=(b a)
  for which in "${order[@]}"; do
    bin=$bin_a
    [[ $which == b ]] && bin=$bin_b
    "$bin" bench --seconds "$seconds" --json > "$work/$which-$round.json"
  done
done

python3 - "$work" "$rounds" "${builds[0]}" "${builds[1]}" <<'PY'
import json, statistics, sys

work, rounds, name_a, name_b = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

def phases(path):
    """{(threads, phase): ms per step} from one `bench --json`."""
    times = {}
    for step in json.load(open(path))["steps"]:
        t = step["threads"]
        times[(t, "step")] = step["seconds_per_step"]
        times[(t, "batch compression")] = step["compress_seconds"]
        for layer in step["layers"]:
            times[(t, layer["layer"] + " forward")] = layer["forward_seconds"]
            times[(t, layer["layer"] + " backward")] = layer["backward_seconds"]
        times[(t, "optimizer")] = step["optimizer_seconds"]
        times[(t, "waiting")] = step["waiting_seconds"]
    return {key: seconds * 1e3 for key, seconds in times.items()}

runs = {w: [phases(f"{work}/{w}-{r}.json") for r in range(1, rounds + 1)] for w in "ab"}
print(f"A = {name_a}, B = {name_b}: {rounds} round{'s' if rounds > 1 else ''} of each build's bench in turn")
print(f"{'ms per step':32} {'A fastest':>9} {'B fastest':>9} {'B/A median':>10}  range")
for key in runs["a"][0]:
    threads, phase = key
    a = [run[key] for run in runs["a"]]
    b = [run[key] for run in runs["b"]]
    ratios = [y / x for x, y in zip(a, b) if x > 0]
    label = f"{threads} thread{'s' if threads > 1 else ''}  {phase}"
    if not ratios:
        print(f"{label:32} {min(a):9.3f} {min(b):9.3f}")
        continue
    print(f"{label:32} {min(a):9.3f} {min(b):9.3f} {statistics.median(ratios):10.2f}  "
          f"{min(ratios):.2f}-{max(ratios):.2f}")
PY
