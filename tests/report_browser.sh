#!/usr/bin/env bash
# Browser test of the report: trains a short real run (2 epochs on the first 12,000 MNIST
# training images, the full 10,000-image test set), lets `train` write report.html, renders it
# in headless Chromium (DOM dump and screenshot) and checks that the page loaded without
# console errors and holds the figures with the right counts. Installs nothing: Chromium
# comes from scripts/setup.sh.
# Usage: report_browser.sh MNISTTRAIN_BINARY SOURCE_DIR
set -euo pipefail
binary=$1
mnist="$2/data/mnist"

fail() { echo "report_browser: FAIL: $*" >&2; exit 1; }
command -v chromium >/dev/null || fail "chromium is not installed (scripts/setup.sh installs it)"
[[ -f $mnist/train-images-idx3-ubyte ]] || fail "$mnist: no MNIST (scripts/fetch_mnist.sh fetches it)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- a short run on real data: the first 12,000 training images (0x2ee0 in the IDX header)
subset() {  # idx_file header_bytes bytes_per_item out
  { head -c 4 "$1"; printf '\x00\x00\x2e\xe0'; head -c $(($2 + 12000 * $3)) "$1" | tail -c +9; } >"$4"
}
subset "$mnist/train-images-idx3-ubyte" 16 784 "$work/train-images"
subset "$mnist/train-labels-idx1-ubyte" 8 1 "$work/train-labels"
cat >"$work/config.json" <<JSON
{"data": {"train_images": "train-images", "train_labels": "train-labels",
          "test_images": "$mnist/t10k-images-idx3-ubyte", "test_labels": "$mnist/t10k-labels-idx1-ubyte",
          "validation_split": 0.1},
 "model": {"layers": [{"type": "dense", "units": 512, "activation": "relu"},
                      {"type": "dense", "units": 10, "activation": "softmax"}]},
 "training": {"optimizer": {"type": "rmsprop"}, "epochs": 2, "batch_size": 128, "seed": 1},
 "output": "$work/run"}
JSON
"$binary" train --config "$work/config.json" --quiet >"$work/train.out"
grep -qx "report: $work/run/report.html" "$work/train.out" || fail "train did not print the report's path"
report="$work/run/report.html"

# ---- Chromium, as the README says to open the report, with nothing shared between runs
render() {  # page out_file extra_flags...
  local page=$1 out=$2
  shift 2
  chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$(mktemp -d -p "$work")" \
    --enable-logging=stderr --v=0 "$@" "file://$page" >"$out" 2>"$out.log"
}
console_errors() { grep -E "CONSOLE|Uncaught|Failed to load resource" "$1" || true; }

# The console check must see an error when there is one: a page with a broken script first.
echo '<!DOCTYPE html><html><body><script>undefined_function()</script></body></html>' >"$work/broken.html"
render "$work/broken.html" "$work/broken.dom" --dump-dom
[[ -n $(console_errors "$work/broken.dom.log") ]] || fail "the console check does not see a script error"

render "$report" "$work/dom.html" --dump-dom
errors=$(console_errors "$work/dom.html.log")
[[ -z $errors ]] || fail "console errors while loading the report: $errors"
render "$report" "$work/shot.out" --window-size=1100,1400 --hide-scrollbars --screenshot="$work/report.png"
[[ $(stat -c %s "$work/report.png") -gt 20000 ]] || fail "the screenshot is (nearly) empty"

# ---- the figures in the DOM as the browser parsed it
dom="$work/dom.html"
count() { grep -o "$1" "$dom" | wc -l; }
expect() {  # what expected actual
  [[ $2 -eq $3 ]] || fail "$1: expected $2, found $3"
  echo "report_browser: $1: $3"
}
for series in "training loss" "validation loss" "training accuracy" "validation accuracy"; do
  expect "points of '$series' (one per epoch)" 2 "$(count "<circle class=\"pt\" data-series=\"$series\"")"
done
expect "confusion-matrix cells" 100 "$(count 'class="cell"')"
test_size=$(($(stat -c %s "$mnist/t10k-labels-idx1-ubyte") - 8))
cell_sum=$(grep -o 'data-count="[0-9]*"' "$dom" | awk -F'"' '{ sum += $2 } END { print sum + 0 }')
expect "sum of the confusion-matrix cells (the test-set size)" "$test_size" "$cell_sum"
expect "first-layer weight tiles" 36 "$(count '<svg class="weight-tile"')"
expect "most confident mistakes" 24 "$(count '<figure class="mistake">')"
expect "training digits with one-hot labels" 6 "$(count '<td class="hot">1</td>')"
expect "external resources" 0 "$(count ' src=\|<link\|url(')"
echo "report_browser: ok"
