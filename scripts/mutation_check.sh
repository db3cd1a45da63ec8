#!/usr/bin/env bash
# Mutation check: does the test suite fail when the code breaks? Each named mutation below (a
# small, realistic bug) is applied ALONE to a copy of this tree (without build/ and .git), the
# copy is rebuilt in one reused build folder, and the fast tests run: the `unit` label plus the
# few end-to-end tests that need no real MNIST. A mutation is "caught" when a test fails and
# "SURVIVED" when all pass. A mutation whose text is no longer in the source (the code moved)
# fails loudly with "pattern not found" instead of passing silently. A few mutations edit the
# AVX-512 paths (the transposition's masks, the narrow input gradient's gathers): on a CPU without AVX-512
# that code is not compiled, and they show as SURVIVED.
#
# Not part of CI: it rebuilds once per mutation. Run it after changing tests:
#   bash scripts/mutation_check.sh            # every mutation
#   bash scripts/mutation_check.sh rmsprop    # only those whose name contains "rmsprop"
#   bash scripts/mutation_check.sh 'sparse-|narrow-'   # a bash regular expression
# Exit status 0 only when every selected mutation is caught.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
filter=${1:-}
work=$(mktemp -d "${TMPDIR:-/tmp}/mnisttrain-mutants.XXXXXX")
trap 'rm -rf "$work"' EXIT

tar -C "$root" --exclude=./build --exclude='./build-*' --exclude=./.git --exclude=./runs -cf - . |
  (mkdir -p "$work/tree" && tar -C "$work/tree" -xf -)
cmake -S "$work/tree" -B "$work/build" -DCMAKE_BUILD_TYPE=Release >/dev/null

build() { cmake --build "$work/build" -j2 >"$work/build.log" 2>&1; }
fast_tests() {
  (cd "$work/build" &&
    ctest -L unit -j2 --timeout 120 >"$work/test.log" 2>&1 &&
    ctest -L e2e -R 'train --seed overrides' --timeout 120 >>"$work/test.log" 2>&1)
}
# The failed tests of the last run, one per line.
failed_tests() { sed -n 's/^[[:space:]]*[0-9]* - \(.*\) (\(Failed\|Timeout\|Exception\|SEGFAULT\|Subprocess aborted\))$/\1/p' "$work/test.log"; }

echo "baseline: building the unmutated copy and running the fast tests"
build || { echo "baseline build failed:"; tail -20 "$work/build.log"; exit 1; }
fast_tests || { echo "baseline tests fail; fix them first:"; tail -20 "$work/test.log"; exit 1; }

# One mutation: name, file, the exact text to find (must occur exactly once), its replacement.
# Each line of the table is read by mutate() below from a here-document per mutation.
results=()
failures=0
mutate() {
  local name=$1 file=$2 find replace
  find=$(cat "$work/find") replace=$(cat "$work/replace")
  if [[ -n $filter && ! $name =~ $filter ]]; then return; fi
  local target="$work/tree/$file"
  cp "$target" "$work/original"
  local status
  if ! python3 - "$target" "$work/find" "$work/replace" <<'PY'
import sys
path, find, replace = sys.argv[1], open(sys.argv[2]).read(), open(sys.argv[3]).read()
text = open(path).read()
n = text.count(find)
if n != 1:
    sys.exit(f"{path}: pattern {'not found' if n == 0 else f'found {n} times'}: {find!r}")
open(path, "w").write(text.replace(find, replace))
PY
  then
    status="ERROR: pattern not found"
  elif ! build; then
    status="ERROR: does not compile"
    tail -5 "$work/build.log"
  elif fast_tests; then
    status="SURVIVED"
  else
    status="caught by $(failed_tests | wc -l): $(failed_tests | paste -sd'|' | sed 's/|/ | /g')"
  fi
  cp "$work/original" "$target"
  [[ $status == caught* ]] || failures=$((failures + 1))
  results+=("$(printf '%-34s %s' "$name" "$status")")
  echo "${results[-1]}"
}
# m NAME FILE: reads FIND and REPLACE separated by a line "----" from stdin.
m() {
  awk -v f="$work/find" -v r="$work/replace" 'BEGIN{out=f; printf "" > f; printf "" > r}
    /^----$/ {out=r; next} {print > out}' && truncate_newline "$work/find" && truncate_newline "$work/replace"
  mutate "$1" "$2"
}
truncate_newline() { [[ -s $1 ]] && truncate -s -1 "$1" || true; }

m atomic-write-in-place src/io/atomic_file.cpp <<'EOF'
  const std::string temp = target + ".tmp." + std::to_string(::getpid());
----
  const std::string temp = target;
EOF

m atomic-write-ignores-short-write src/io/atomic_file.cpp <<'EOF'
  if (written != size || !flushed || !closed) {
----
  if (!flushed || !closed) {
EOF

m alloc-in-rmsprop-step src/optim/optimizer.cpp <<'EOF'
        kernels::rmsprop_update(w, g, moment1, n, lr, static_cast<float>(settings_.rho), eps);
----
        const std::vector<float> g_copy(g, g + n);
        kernels::rmsprop_update(w, g_copy.data(), moment1, n, lr, static_cast<float>(settings_.rho), eps);
EOF

m alloc-in-sgd-step src/optim/optimizer.cpp <<'EOF'
        kernels::sgd_update(w, g, n, lr);
----
        const std::vector<float> g_copy(g, g + n);
        kernels::sgd_update(w, g_copy.data(), n, lr);
EOF

m alloc-in-clipnorm src/optim/optimizer.cpp <<'EOF'
    for (std::size_t i = 0; i < t.size; ++i) sum += static_cast<double>(grads[t.offset + i]) * grads[t.offset + i];
----
    std::vector<float> copy(grads + t.offset, grads + t.offset + t.size);
    for (float x : copy) sum += static_cast<double>(x) * x;
EOF

m alloc-in-l2-gradient src/nn/dense.cpp <<'EOF'
  const float scale = 2.0f * l2;
----
  const std::vector<float> weight_copy(weight, weight + C * OC);
  const float scale = 2.0f * l2 + 0.0f * weight_copy[0];
EOF

m rmsprop-rho-for-1-minus-rho src/kernels/update.cpp <<'EOF'
    v[i] = std::fma(rho, v[i], (1.0f - rho) * g[i] * g[i]);
    w[i] -= lr * g[i] / std::sqrt(v[i] + eps);
----
    v[i] = std::fma(1.0f - rho, v[i], rho * g[i] * g[i]);
    w[i] -= lr * g[i] / std::sqrt(v[i] + eps);
EOF

m nesterov-as-plain-momentum src/kernels/update.cpp <<'EOF'
      w[i] += mu * m[i] - lr * g[i];
----
      w[i] += m[i];
EOF

m adam-without-bias-correction src/optim/optimizer.cpp <<'EOF'
    adam_alpha_ = static_cast<float>(lr * std::sqrt(1.0 - std::pow(b2, t)) / (1.0 - std::pow(b1, t)));
----
    adam_alpha_ = static_cast<float>(lr);
EOF

m train-seed-flag-ignored src/config/config.cpp <<'EOF'
  if (overrides.seed) training.seed = check(*overrides.seed, "--seed", read_seed);
----
  if (overrides.seed) (void)check(*overrides.seed, "--seed", read_seed);
EOF

m init-ignores-seed src/train/trainer.cpp <<'EOF'
  network.init_params(config.training.seed);
----
  network.init_params(42);
EOF

m same-shuffle-every-epoch src/train/trainer.cpp <<'EOF'
    if (training_.shuffle) batches_.shuffle(training_.seed, static_cast<std::uint64_t>(state_.epoch));
----
    if (training_.shuffle) batches_.shuffle(training_.seed, 0);
EOF

m shuffle-ignores-seed src/train/trainer.cpp <<'EOF'
    if (training_.shuffle) batches_.shuffle(training_.seed, static_cast<std::uint64_t>(state_.epoch));
----
    if (training_.shuffle) batches_.shuffle(0, static_cast<std::uint64_t>(state_.epoch));
EOF

m resumed-epoch-running-metrics-reset src/train/trainer.cpp <<'EOF'
  state_ = checkpoint.state;
----
  state_ = checkpoint.state;
  state_.loss_sum = 0.0;
  state_.correct = 0;
  state_.seen = 0;
EOF

m resume-cursor-beyond-data-accepted src/train/trainer.cpp <<'EOF'
  if (checkpoint.state.batch >= batches_.num_batches() && checkpoint.state.batch > 0) {
----
  if (false) {
EOF

m checkpoint-accepts-nan src/train/checkpoint.cpp <<'EOF'
  check_finite(c.params, "params", path);
----

EOF

m restore-best-weights-skipped src/train/callbacks.cpp <<'EOF'
  if (settings_.enabled && settings_.restore_best_weights && !best_params_.empty()) {
----
  if (false) {
EOF

m save-best-every-epoch src/train/callbacks.cpp <<'EOF'
  if (!improves(monitor_, value, state_, 0.0)) return false;
----
  (void)value;
EOF

m early-stopping-patience-off-by-one src/train/callbacks.cpp <<'EOF'
  return state_.wait >= settings_.patience && metrics.epoch > 1;
----
  return state_.wait > settings_.patience && metrics.epoch > 1;
EOF

m confusion-matrix-transposed src/train/evaluate.cpp <<'EOF'
      ++result.confusion[static_cast<std::size_t>(batch.labels[row]) * C + predicted];
----
      ++result.confusion[predicted * C + static_cast<std::size_t>(batch.labels[row])];
EOF

m precision-recall-swapped src/train/evaluate.cpp <<'EOF'
    s.precision = predicted_as_c ? hits / static_cast<double>(predicted_as_c) : 0.0;
    s.recall = truly_c ? hits / static_cast<double>(truly_c) : 0.0;
----
    s.precision = truly_c ? hits / static_cast<double>(truly_c) : 0.0;
    s.recall = predicted_as_c ? hits / static_cast<double>(predicted_as_c) : 0.0;
EOF

m streamed-update-one-block-late src/train/step.cpp <<'EOF'
    self->optimizer->update_slice(self->params, gradient, self->first + offset, count);
----
    if (offset >= count) self->optimizer->update_slice(self->params, gradient, self->first + offset - count, count);
EOF

m items-back-end-skips-one src/kernels/shared_items.h <<'EOF'
        item = static_cast<std::size_t>(from_front ? front : back - 1);
----
        item = static_cast<std::size_t>(from_front ? front : back - (back > front + 1 ? 2 : 1));
EOF

m sparse-transpose-drops-tail-row src/kernels/sparse_dense.cpp <<'EOF'
  for (; b < B; ++b) {
    for (std::size_t k = 0; k < width; ++k) columns[(p + k) * stride + b] = images[b][p + k];
----
  for (; b + 1 < B; ++b) {
    for (std::size_t k = 0; k < width; ++k) columns[(p + k) * stride + b] = images[b][p + k];
EOF

m sparse-padding-left-over src/kernels/sparse_dense.cpp <<'EOF'
  for (std::size_t k = 0; k < width; ++k) std::fill(columns + (p + k) * stride + B, columns + (p + k) * stride + stride, std::uint8_t{0});
----
EOF

m sparse-forward-skips-last-sample src/kernels/sparse_dense.cpp <<'EOF'
    for (; samples != 0; samples &= samples - 1) {
----
    for (; (samples & (samples - 1)) != 0; samples &= samples - 1) {
EOF

m sparse-weight-gradient-skips-last-sample src/kernels/sparse_dense.cpp <<'EOF'
    for (std::uint64_t samples = lit[s]; samples != 0; samples &= samples - 1) {
----
    for (std::uint64_t samples = lit[s]; (samples & (samples - 1)) != 0; samples &= samples - 1) {
EOF

m sparse-pairs-ignore-odd-pixel src/kernels/sparse_dense.cpp <<'EOF'
    std::uint64_t samples = lit[2 * q * blocks] | lit[(2 * q + 1) * blocks];
----
    std::uint64_t samples = lit[2 * q * blocks];
EOF

m sparse-mask-drops-last-byte src/kernels/sparse_dense.cpp <<'EOF'
  return _mm512_test_epi8_mask(block, block);
----
  return _mm512_test_epi8_mask(block, block) & (~std::uint64_t{0} >> 1);
EOF

m sparse-weight-gradient-skips-last-block src/kernels/sparse_dense.cpp <<'EOF'
  for (std::size_t s = 0, blocks = x.sample_blocks(); s < blocks; ++s) {
----
  for (std::size_t s = 0, blocks = x.sample_blocks(); s + 1 < blocks; ++s) {
EOF

m sparse-ones-column-not-one src/kernels/sparse_dense.cpp <<'EOF'
  std::fill(ones, ones + B, std::uint8_t{255});
----
  std::fill(ones, ones + B, std::uint8_t{254});
EOF

m sparse-ones-column-partial-block-short src/kernels/sparse_dense.cpp <<'EOF'
    lit[C * sample_blocks() + s] = count == kSampleBlock ? ~std::uint64_t{0} : (std::uint64_t{1} << count) - 1;
----
    lit[C * sample_blocks() + s] = count == kSampleBlock ? ~std::uint64_t{0} : (std::uint64_t{1} << (count - 1)) - 1;
EOF

m pixel-table-off-by-one src/pixels.h <<'EOF'
  for (std::size_t v = 0; v < values.size(); ++v) values[v] = scaled_pixel(static_cast<std::uint8_t>(v));
----
  for (std::size_t v = 0; v < values.size(); ++v) values[v] = scaled_pixel(static_cast<std::uint8_t>(v == 200 ? 201 : v));
EOF

m narrow-input-gradient-skips-a-unit src/kernels/narrow_dense.cpp <<'EOF'
    const float dj = d[j];
----
    const float dj = j == 3 ? 0.0f : d[j];
EOF

m narrow-weight-gradient-partial-units-as-whole src/kernels/narrow_dense.cpp <<'EOF'
      if (count == kGradientInputs && units == kGradientUnits) {
----
      if (count == kGradientInputs) {
EOF

m narrow-weight-gradient-drops-last-input src/kernels/narrow_dense.cpp <<'EOF'
  for (std::size_t c = 0; c < count; ++c) {
----
  for (std::size_t c = 0; c + 1 < count; ++c) {
EOF

m narrow-forward-tail-skips-first-input src/kernels/narrow_dense.cpp <<'EOF'
    Row<Vectors> acc = start;
    for (std::size_t k = 0; k < K; ++k) {
----
    Row<Vectors> acc = start;
    for (std::size_t k = 1; k < K; ++k) {
EOF

m rmsprop-blank-chunk-keeps-v src/kernels/update.h <<'EOF'
      store(v + offset, rho * old_v);
----
      store(v + offset, old_v);
EOF

m rmsprop-in-kernel-skips-last-row src/kernels/sparse_dense.cpp <<'EOF'
    next = 0;
  }
  while (next < kPanelVectors) update_next();
}
----
    next = 0;
  }
}
EOF

m narrow-input-gradient-transpose-swaps-lanes src/kernels/narrow_dense.cpp <<'EOF'
      _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0), _mm512_set1_epi32(static_cast<int>(N)));
----
      _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 0, 1), _mm512_set1_epi32(static_cast<int>(N)));
EOF

m network-sparse-batch-without-ones-column src/nn/network.cpp <<'EOF'
  sparse_x_.reserve(max_batch_, input_features_, first.outputs, width, first.spec.use_bias);
----
  sparse_x_.reserve(max_batch_, input_features_, first.outputs, width, false);
EOF

m sparse-weight-gradient-skips-bias-row src/nn/dense.cpp <<'EOF'
    const Range second{kernels::forward_part(*sparse, 1).begin, sparse->gradient_rows()};
----
    const Range second = kernels::forward_part(*sparse, 1);
EOF

m dense-l2-reaches-the-bias-row src/nn/dense.cpp <<'EOF'
  for (std::size_t p = inputs.begin; p < std::min(inputs.end, C); ++p) {
----
  for (std::size_t p = inputs.begin; p < inputs.end; ++p) {
EOF

m blas-idle-pool-kept src/kernels/blas.cpp <<'EOF'
  if (threads == 1) stop_idle_pool();
----
  if (threads == 0) stop_idle_pool();
EOF

m denormals-kept src/kernels/denormals.cpp <<'EOF'
void flush_denormals_to_zero() { _mm_setcsr(_mm_getcsr() | kFlushToZero | kDenormalsAreZero); }
----
void flush_denormals_to_zero() { _mm_setcsr(_mm_getcsr() | kFlushToZero); }
EOF

m blas-blocks-follow-thread-count src/kernels/matmul.h <<'EOF'
  const Range share = split_range(n, ith, nth, kBlasBlock);
  for (std::size_t begin = share.begin; begin < share.end; begin += kBlasBlock) {
    product(Range{begin, std::min(share.end, begin + kBlasBlock)});
  }
----
  const Range share = split_range(n, ith, nth, align);
  if (share.size() > 0) product(share);
EOF

m bench-flops-input-gradient-everywhere src/bench/flops.cpp <<'EOF'
    if (network.computes_input_gradient(i)) flops += 2.0 * static_cast<double>(B * layer.inputs) * outputs;
----
    flops += 2.0 * static_cast<double>(B * layer.inputs) * outputs;
EOF

m bench-flops-zero-pixels-counted src/bench/flops.cpp <<'EOF'
    const double inputs = nonzero_inputs && network.skips_zero_inputs(i) ? *nonzero_inputs : static_cast<double>(B * layer.inputs);
----
    const double inputs = static_cast<double>(B * layer.inputs);
EOF

echo
echo "mutation                           result"
printf '%s\n' "${results[@]}"
echo "${#results[@]} mutations, $failures not caught"
[[ $failures -eq 0 ]]
