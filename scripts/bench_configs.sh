#!/usr/bin/env bash
# Every shipped config, timed with PyTorch (as installed and tuned, the faster one kept) and
# with mnisttrain on 2 threads, back to back on the same IDX files: seconds per epoch and the
# ratio. The epoch after the first is timed (the first warms up). Benchmarks are not tests:
# the machine may be shared, so compare the ratios of one run.
#   scripts/bench_configs.sh [--epochs N] [CONFIG...]   (default: configs/*.json, 2 epochs)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
epochs=2
configs=()
while (($#)); do
  case $1 in
    --epochs) epochs=$2; shift ;;
    -*) echo "usage: $0 [--epochs N] [CONFIG...]" >&2; exit 2 ;;
    *) configs+=("$1") ;;
  esac
  shift
done
((${#configs[@]})) || configs=("$root"/configs/*.json)
py=/usr/bin/python3
[[ -x $py ]] || py=python3
$py -c 'import torch' 2>/dev/null || { echo "bench_configs: needs python3-torch (apt-get install python3-torch)" >&2; exit 1; }
bash "$root/scripts/build.sh" >/dev/null
bash "$root/scripts/fetch_mnist.sh"
cd "$root"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# The last epoch's seconds (the median of those after the first, with more epochs).
after_first='import json, statistics, sys; t = json.loads(sys.argv[1])["epoch_seconds"]; print(statistics.median(t[1:] or t))'

printf '%-24s %9s %9s %11s %7s\n' "config ($epochs epochs)" "PyTorch" "(mode)" "mnisttrain" "ratio"
for config in "${configs[@]}"; do
  name=$(basename "$config" .json)
  installed=$($py scripts/bench_pytorch.py --mode installed --epochs "$epochs" --config "$config")
  tuned=$($py scripts/bench_pytorch.py --mode tuned --epochs "$epochs" --config "$config")
  t_installed=$(python3 -c "$after_first" "$installed")
  t_tuned=$(python3 -c "$after_first" "$tuned")
  build/mnisttrain train --config "$config" --epochs "$epochs" --threads 2 --out "$out/$name" --quiet --no-report \
    >/dev/null 2>"$out/$name.log" || { cat "$out/$name.log" >&2; exit 1; }
  ours=$(python3 -c 'import json, statistics, sys
t = [json.loads(l)["seconds"] for l in open(sys.argv[1])]
print(statistics.median(t[1:] or t))' "$out/$name/metrics.jsonl")
  python3 - "$name" "$t_installed" "$t_tuned" "$ours" <<'PY'
import sys
name, installed, tuned, ours = sys.argv[1], *map(float, sys.argv[2:])
best, mode = (installed, "installed") if installed <= tuned else (tuned, "tuned")
print(f"{name:<24} {best:9.3f} {mode:>9} {ours:11.3f} {best / ours:6.1f}x")
PY
done
