#!/usr/bin/env bash
# Trains the reference network (configs/mnist_mlp.json) with PyTorch (as installed, and tuned)
# and with mnisttrain (2 threads and 1 thread), back to back in one run on the same IDX files, and
# prints each one's median epoch time, its test accuracy and the ratios. Benchmarks are not
# tests: the machine may be shared, so compare the ratios of one run.
#   scripts/bench_pytorch.sh [--install] [--epochs N]
# --install installs Debian's python3-torch when it is missing (it is large, so only on request).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
epochs=5
install=0
while (($#)); do
  case $1 in
    --install) install=1 ;;
    --epochs) epochs=$2; shift ;;
    *) echo "usage: $0 [--install] [--epochs N]" >&2; exit 2 ;;
  esac
  shift
done

# Debian's python3-torch lives in the system interpreter, not in a pyenv or venv one.
py=/usr/bin/python3
[[ -x $py ]] || py=python3
if ! $py -c 'import torch' 2>/dev/null; then
  if ((install)); then
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get install -y -qq --no-install-recommends python3-torch python3-numpy >/dev/null
  else
    echo "bench_pytorch: PyTorch is not installed; run with --install (apt-get install python3-torch)" >&2
    exit 1
  fi
fi
bash "$root/scripts/build.sh" >/dev/null
bash "$root/scripts/fetch_mnist.sh"
cd "$root"
bin=build/mnisttrain
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Times are medians over the epochs after the first (warm-up) one.
run_torch() {  # run_torch MODE [ARGS...] -> "median_seconds accuracy"
  local line
  line=$($py scripts/bench_pytorch.py --mode "$@" --epochs "$epochs")
  echo "pytorch $*: $line" >&2
  python3 - "$line" <<'PY'
import json, statistics, sys
r = json.loads(sys.argv[1]); t = r["epoch_seconds"]
print(statistics.median(t[1:] if len(t) > 1 else t), r["test_accuracy"])
PY
}

run_mnisttrain() {  # run_mnisttrain THREADS -> "median_seconds accuracy"
  local dir="$out/run$1"
  "$bin" train --config configs/mnist_mlp.json --epochs "$epochs" --threads "$1" --out "$dir" --quiet >/dev/null
  python3 - "$dir" <<'PY'
import json, statistics, sys
d = sys.argv[1]
t = [json.loads(l)["seconds"] for l in open(f"{d}/metrics.jsonl")]
s = json.load(open(f"{d}/summary.json"))
print(statistics.median(t[1:] if len(t) > 1 else t), s["test_accuracy"])
PY
}

read -r torch_installed acc_installed < <(run_torch installed)
# PyTorch starts one intra-op thread per core it counts, and on some VMs it counts one core
# where mnisttrain gets two vCPUs. The issue that set the speed targets measured PyTorch as
# installed on 2 threads, so that run is added when the default differs ("-" when it is the
# same run).
default_threads=$($py -c 'import torch; print(torch.get_num_threads())')
torch_installed2=- acc_installed2=-
if [[ $default_threads != 2 ]]; then
  read -r torch_installed2 acc_installed2 < <(run_torch installed --installed-threads 2)
fi
read -r torch_tuned acc_tuned < <(run_torch tuned)
read -r ours2 acc2 < <(run_mnisttrain 2)
read -r ours1 acc1 < <(run_mnisttrain 1)

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores"
"$bin" --version | sed -n 's/^BLAS: /mnisttrain BLAS: /p'
echo "PyTorch's threads and Linear path are in its JSON lines above (stderr)"
printf '%-28s %10s %14s\n' "reference config, $epochs epochs" "s/epoch" "test accuracy"
printf '%-28s %10.3f %14.4f\n' "PyTorch as installed" "$torch_installed" "$acc_installed"
echo "  (PyTorch's default here: $default_threads thread(s))"
if [[ $torch_installed2 != - ]]; then
  printf '%-28s %10.3f %14.4f\n' "PyTorch installed, 2 threads" "$torch_installed2" "$acc_installed2"
fi
printf '%-28s %10.3f %14.4f\n' "PyTorch tuned" "$torch_tuned" "$acc_tuned"
printf '%-28s %10.3f %14.4f\n' "mnisttrain --threads 2" "$ours2" "$acc2"
printf '%-28s %10.3f %14.4f\n' "mnisttrain --threads 1" "$ours1" "$acc1"
python3 - "$torch_installed" "$torch_tuned" "$ours2" "$ours1" "$torch_installed2" <<'PY'
import sys
installed, tuned, ours2, ours1 = map(float, sys.argv[1:5])
# The tuning trial is short; when its pick trains slower than the defaults, the defaults are
# the PyTorch to beat.
installed2 = None if sys.argv[5] == "-" else float(sys.argv[5])
best = min(installed, tuned, installed2 or installed)
on_two = "" if installed2 is None else f" ({installed2 / ours2:.1f}x PyTorch as installed on 2 threads)"
print(f"mnisttrain (2 threads) is {installed / ours2:.1f}x PyTorch as installed{on_two}, "
      f"{best / ours2:.1f}x the faster PyTorch (installed or tuned); "
      f"1 thread is {best / ours1:.1f}x the faster PyTorch")
PY
