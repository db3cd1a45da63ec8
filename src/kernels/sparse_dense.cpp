// Sparse-input dense-layer kernels and their dense references; see sparse_dense.h.
//
// Both products walk the batch by pixel over one block of up to kPanelUnits output units at a
// time, in a contiguous (B, kPanelUnits) panel: row-major slices of a (B, 512) matrix sit 2 KB
// apart and crowd a few cache sets, the panel does not. The forward seeds the panel with the
// bias (part 0) or zeros (part 1), holds the kernel rows of a pixel pair in registers and adds
// them to the panel rows of the samples that have either pixel lit, then copies part 0 out. The
// weight gradient reads dZ packed into panels, holds a gradient row in registers and sums the
// panel rows of that pixel's samples into it. Every output element is a sum in a fixed order
// (increasing pixel within a fixed part, or increasing sample) whatever the ranges: results do
// not depend on how the work is split between threads.
#include "kernels/sparse_dense.h"

#include "kernels/vec.h"

#include <algorithm>
#include <cmath>

namespace mnisttrain::kernels {

namespace {

constexpr std::size_t kPanelVectors = kPanelUnits / kLanes;

// A block [begin, begin + width) of output units, never crossing a panel boundary, and where
// its columns sit in the panels.
struct UnitBlock {
  std::size_t begin, width;
  float* panel;  // (B, kPanelUnits), already offset to the block's first column
};

// The panels start on a cache line (reserve() leaves room): a vector that straddles two lines
// costs two accesses, which halved the speed of both products.
float* first_panel(const SparseBatch& x) {
  const auto address = reinterpret_cast<std::uintptr_t>(x.panels.data());
  const std::uintptr_t line = 64;
  return reinterpret_cast<float*>((address + line - 1) / line * line);
}

UnitBlock unit_block(const SparseBatch& x, std::size_t j, std::size_t units_end, int part = 0) {
  const std::size_t index = j / kPanelUnits, column = j % kPanelUnits;
  const std::size_t width = std::min(units_end, (index + 1) * kPanelUnits) - j;
  float* set = first_panel(x) + static_cast<std::size_t>(part) * x.panel_set_floats;
  return {j, width, set + index * x.rows * kPanelUnits + column};
}

// `Vectors` vectors of a row starting at `row`, the last holding only `tail` (<= kLanes) lanes:
// the edge of a layer goes through the same vector arithmetic as the rest, so a column gets the
// same bits whichever path computes it.
template <std::size_t Vectors>
inline void load_row(Vec* v, const float* row, std::size_t tail) {
  for (std::size_t k = 0; k + 1 < Vectors; ++k) v[k] = load(row + k * kLanes);
  v[Vectors - 1] = tail == kLanes ? load(row + (Vectors - 1) * kLanes) : load_partial(row + (Vectors - 1) * kLanes, tail);
}

template <std::size_t Vectors>
inline void store_row(float* row, const Vec* v, std::size_t tail) {
  for (std::size_t k = 0; k + 1 < Vectors; ++k) store(row + k * kLanes, v[k]);
  if (tail == kLanes) {
    store(row + (Vectors - 1) * kLanes, v[Vectors - 1]);
  } else {
    store_partial(row + (Vectors - 1) * kLanes, v[Vectors - 1], tail);
  }
}

// panel[b] += x[b, p] * weight[p] for the pixels in `pixels` (starting at an even pixel) in
// increasing order and, for each, its samples; `Vectors` vectors of units, the panel and weight
// already offset to them. Pixels go by pairs, each entry adding x[b, 2q] * weight[2q] and then
// x[b, 2q + 1] * weight[2q + 1] (the same order); an odd last pixel goes alone.
template <std::size_t Vectors>
void add_kernel_rows(float* panel, const SparseBatch& x, const float* weight, std::size_t OC,
                     std::size_t tail, Range pixels) {
  const std::uint32_t* pair_sample = x.pair_sample.data();
  const float* pair_value = x.pair_value.data();
  for (std::size_t q = pixels.begin / 2; q < pixels.end / 2; ++q) {
    const std::uint32_t first = x.pair_start[q], last = x.pair_start[q + 1];
    if (first == last) continue;
    Vec even[Vectors], odd[Vectors];
    load_row<Vectors>(even, weight + 2 * q * OC, tail);
    load_row<Vectors>(odd, weight + (2 * q + 1) * OC, tail);
    for (std::uint32_t e = first; e < last; ++e) {
      float* row = panel + static_cast<std::size_t>(pair_sample[e]) * kPanelUnits;
      const float v0 = pair_value[2 * e], v1 = pair_value[2 * e + 1];
      for (std::size_t k = 0; k < Vectors; ++k) {
        Vec sum = load(row + k * kLanes);
        sum += v0 * even[k];
        sum += v1 * odd[k];
        store(row + k * kLanes, sum);
      }
    }
  }
  if (pixels.end % 2 == 0) return;
  const std::size_t p = pixels.end - 1;
  Vec w[Vectors];
  load_row<Vectors>(w, weight + p * OC, tail);
  for (std::uint32_t e = x.col_start[p]; e < x.col_start[p + 1]; ++e) {
    float* row = panel + static_cast<std::size_t>(x.col_sample[e]) * kPanelUnits;
    const float v = x.col_value[e];
    for (std::size_t k = 0; k < Vectors; ++k) store(row + k * kLanes, load(row + k * kLanes) + v * w[k]);
  }
}

// dweight[p, column ...] = sum over the samples b of pixel p of x[b, p] * panel[b], for the
// pixels in `pixels`, into dweight or the sink; `Vectors` vectors of units from `column`, the
// panel already offset to them.
template <std::size_t Vectors>
void sum_panel_rows(float* dweight, const GradientSink* sink, const SparseBatch& x,
                    const float* panel, std::size_t OC, std::size_t column, std::size_t tail,
                    Range pixels) {
  const std::uint32_t* sample = x.col_sample.data();
  const float* value = x.col_value.data();
  for (std::size_t p = pixels.begin; p < pixels.end; ++p) {
    Vec acc[Vectors] = {};
    for (std::uint32_t e = x.col_start[p]; e < x.col_start[p + 1]; ++e) {
      const float* row = panel + static_cast<std::size_t>(sample[e]) * kPanelUnits;
      const float v = value[e];
      for (std::size_t k = 0; k < Vectors; ++k) acc[k] += v * load(row + k * kLanes);
    }
    if (sink) {
      float gradient[Vectors * kLanes];
      store_row<Vectors>(gradient, acc, tail);
      sink->take(sink->context, p * OC + column, gradient, (Vectors - 1) * kLanes + tail);
    } else {
      store_row<Vectors>(dweight + p * OC + column, acc, tail);
    }
  }
}

// Runs kernel<Vectors>(offset, tail) over a block: one call for a whole panel's worth of units,
// else one call per vector, the last with a partial tail.
template <typename Whole, typename Single>
void over_vectors(std::size_t width, Whole whole, Single single) {
  if (width == kPanelUnits) {
    whole(0, kLanes);
    return;
  }
  for (std::size_t k = 0; k < width; k += kLanes) single(k, std::min(kLanes, width - k));
}

}  // namespace

void SparseBatch::reserve(std::size_t max_rows, std::size_t columns, std::size_t max_units) {
  col_start.resize(columns + 1);
  col_sample.resize(max_rows * columns);
  col_value.resize(max_rows * columns);
  pair_start.resize(columns / 2 + 1);
  pair_sample.resize(max_rows * (columns / 2));
  pair_value.resize(max_rows * (columns / 2) * 2);
  const std::size_t blocks = (max_units + kPanelUnits - 1) / kPanelUnits;
  panel_set_floats = blocks * max_rows * kPanelUnits;
  panels.resize(kForwardParts * panel_set_floats + 64 / sizeof(float));
}

void SparseBatch::start(std::size_t B, std::size_t C) {
  rows = B;
  cols = C;
}

void SparseBatch::count_columns(const float* x, Range pixels) {
  // Column p's count goes to col_start[p + 1], pair q's to pair_start[q + 1], for
  // index_columns() to sum up.
  std::uint32_t* count = col_start.data() + 1;
  std::uint32_t* pair_count = pair_start.data() + 1;
  const std::size_t first_pair = pixels.begin / 2, end_pair = std::min(pixels.end, cols / 2 * 2) / 2;
  std::fill(count + pixels.begin, count + pixels.end, 0u);
  std::fill(pair_count + first_pair, pair_count + std::max(first_pair, end_pair), 0u);
  for (std::size_t b = 0; b < rows; ++b) {
    const float* row = x + b * cols;
    for (std::size_t p = pixels.begin; p < pixels.end; ++p) count[p] += row[p] != 0.0f;
    for (std::size_t q = first_pair; q < end_pair; ++q) pair_count[q] += (row[2 * q] != 0.0f) | (row[2 * q + 1] != 0.0f);
  }
}

void SparseBatch::index_columns() {
  col_start[0] = 0;
  for (std::size_t p = 0; p < cols; ++p) col_start[p + 1] += col_start[p];
  pair_start[0] = 0;
  for (std::size_t q = 0; q < cols / 2; ++q) pair_start[q + 1] += pair_start[q];
}

namespace {

constexpr std::size_t kFillWidth = 16;  // pixels whose columns are filled together

// Appends sample b's non-zero values among pixels [p, p + width) to their columns, at the
// columns' cursors.
inline void append_nonzeros(const float* values, std::size_t width, std::uint32_t b,
                            std::uint32_t* cursor, std::uint32_t* sample, float* value) {
  for (std::size_t k = 0; k < width; ++k) {
    if (values[k] == 0.0f) continue;
    const std::uint32_t slot = cursor[k]++;
    sample[slot] = b;
    value[slot] = values[k];
  }
}

// The same for the pairs among them (width / 2 whole pairs from an even pixel).
inline void append_pairs(const float* values, std::size_t width, std::uint32_t b,
                         std::uint32_t* cursor, std::uint32_t* sample, float* value) {
  for (std::size_t k = 0; k + 1 < width; k += 2) {
    if (values[k] == 0.0f && values[k + 1] == 0.0f) continue;
    const std::uint32_t slot = cursor[k / 2]++;
    sample[slot] = b;
    value[2 * slot] = values[k];
    value[2 * slot + 1] = values[k + 1];
  }
}

}  // namespace

void SparseBatch::fill_columns(const float* x, Range pixels) {
  // A band of 16 pixels at a time, down all the samples: each column is appended to in
  // increasing sample order, and the band's 16 columns are the only places written.
  for (std::size_t p = pixels.begin; p < pixels.end; p += kFillWidth) {
    const std::size_t width = std::min(kFillWidth, pixels.end - p);
    std::uint32_t cursor[kFillWidth], pair_cursor[kFillWidth / 2];
    std::copy(col_start.begin() + static_cast<std::ptrdiff_t>(p),
              col_start.begin() + static_cast<std::ptrdiff_t>(p + width), cursor);
    std::copy(pair_start.begin() + static_cast<std::ptrdiff_t>(p / 2),
              pair_start.begin() + static_cast<std::ptrdiff_t>(p / 2 + width / 2), pair_cursor);
    for (std::size_t b = 0; b < rows; ++b) {
      const float* values = x + b * cols + p;
      const auto sample = static_cast<std::uint32_t>(b);
#if defined(__AVX512F__)
      if (width == kFillWidth) {
        // The non-zero lanes' mask, walked bit by bit: no branch per pixel.
        const auto nonzero = static_cast<unsigned>(_mm512_cmp_ps_mask(_mm512_loadu_ps(values), _mm512_setzero_ps(), _CMP_NEQ_UQ));
        for (unsigned left = nonzero; left != 0; left &= left - 1) {
          const auto k = static_cast<std::size_t>(__builtin_ctz(left));
          const std::uint32_t slot = cursor[k]++;
          col_sample[slot] = sample;
          col_value[slot] = values[k];
        }
        // A pair's bit (the even one) when either of its pixels is lit.
        for (unsigned left = (nonzero | nonzero >> 1) & 0x5555u; left != 0; left &= left - 1) {
          const auto k = static_cast<std::size_t>(__builtin_ctz(left));
          const std::uint32_t slot = pair_cursor[k / 2]++;
          pair_sample[slot] = sample;
          pair_value[2 * slot] = values[k];
          pair_value[2 * slot + 1] = values[k + 1];
        }
        continue;
      }
#endif
      append_nonzeros(values, width, sample, cursor, col_sample.data(), col_value.data());
      append_pairs(values, width, sample, pair_cursor, pair_sample.data(), pair_value.data());
    }
  }
}

void SparseBatch::build(const float* x, std::size_t B, std::size_t C) {
  start(B, C);
  count_columns(x, {0, C});
  index_columns();
  fill_columns(x, {0, C});
}

Range forward_part(std::size_t C, int part) {
  // A multiple of 16 pixels: bands of the batch compression and pairs stay whole.
  const std::size_t middle = split_range(C, 0, kForwardParts, 16).end;
  return part == 0 ? Range{0, middle} : Range{middle, C};
}

void sparse_dense_forward_part(float* out, const SparseBatch& x, const float* weight,
                               const float* bias, std::size_t OC, int part, Range units) {
  const Range pixels = forward_part(x.cols, part);
  for (std::size_t j = units.begin; j < units.end;) {
    const UnitBlock block = unit_block(x, j, units.end, part);
    for (std::size_t b = 0; b < x.rows; ++b) {
      float* row = block.panel + b * kPanelUnits;
      for (std::size_t k = 0; k < block.width; ++k) row[k] = part == 0 && bias ? bias[j + k] : 0.0f;
    }
    over_vectors(
        block.width,
        [&](std::size_t, std::size_t) { add_kernel_rows<kPanelVectors>(block.panel, x, weight + j, OC, kLanes, pixels); },
        [&](std::size_t k, std::size_t tail) { add_kernel_rows<1>(block.panel + k, x, weight + j + k, OC, tail, pixels); });
    if (part == 0) {
      for (std::size_t b = 0; b < x.rows; ++b) {
        std::copy(block.panel + b * kPanelUnits, block.panel + b * kPanelUnits + block.width, out + b * OC + j);
      }
    }
    j += block.width;
  }
}

void add_forward_parts(float* out, const SparseBatch& x, std::size_t OC, Range samples) {
  for (std::size_t j = 0; j < OC;) {
    const UnitBlock block = unit_block(x, j, OC, 1);
    for (std::size_t b = samples.begin; b < samples.end; ++b) {
      const float* second = block.panel + b * kPanelUnits;
      for (std::size_t k = 0; k < block.width; ++k) out[b * OC + j + k] += second[k];
    }
    j += block.width;
  }
}

void sparse_dense_forward(float* out, const SparseBatch& x, const float* weight, const float* bias,
                          std::size_t OC) {
  for (int part = 0; part < kForwardParts; ++part) sparse_dense_forward_part(out, x, weight, bias, OC, part, {0, OC});
  add_forward_parts(out, x, OC, {0, x.rows});
}

void pack_gradient_panels(const SparseBatch& x, const float* dout, std::size_t OC, Range samples) {
  for (std::size_t j = 0; j < OC;) {
    const UnitBlock block = unit_block(x, j, OC);
    for (std::size_t b = samples.begin; b < samples.end; ++b) {
      std::copy(dout + b * OC + j, dout + b * OC + j + block.width, block.panel + b * kPanelUnits);
    }
    j += block.width;
  }
}

void sparse_dense_backward_weight(float* dweight, const SparseBatch& x, std::size_t OC,
                                  Range pixels, const GradientSink* sink) {
  for (std::size_t j = 0; j < OC;) {
    const UnitBlock block = unit_block(x, j, OC);
    over_vectors(
        block.width,
        [&](std::size_t, std::size_t) { sum_panel_rows<kPanelVectors>(dweight, sink, x, block.panel, OC, j, kLanes, pixels); },
        [&](std::size_t k, std::size_t tail) { sum_panel_rows<1>(dweight, sink, x, block.panel + k, OC, j + k, tail, pixels); });
    j += block.width;
  }
}

void dense_forward_reference(float* out, const float* x, const float* weight, const float* bias,
                             std::size_t B, std::size_t C, std::size_t OC) {
  for (std::size_t b = 0; b < B; ++b) {
    for (std::size_t j = 0; j < OC; ++j) {
      double sum = bias ? bias[j] : 0.0;
      for (std::size_t p = 0; p < C; ++p) sum += static_cast<double>(x[b * C + p]) * weight[p * OC + j];
      out[b * OC + j] = static_cast<float>(sum);
    }
  }
}

void dense_backward_weight_reference(float* dweight, const float* x, const float* dout,
                                     std::size_t B, std::size_t C, std::size_t OC) {
  for (std::size_t p = 0; p < C; ++p) {
    for (std::size_t j = 0; j < OC; ++j) {
      double sum = 0.0;
      for (std::size_t b = 0; b < B; ++b) sum += static_cast<double>(x[b * C + p]) * dout[b * OC + j];
      dweight[p * OC + j] = static_cast<float>(sum);
    }
  }
}

double density(const std::uint8_t* values, std::size_t n) {
  if (n == 0) return 0.0;
  std::size_t nonzero = 0;
  for (std::size_t i = 0; i < n; ++i) nonzero += values[i] != 0;
  return static_cast<double>(nonzero) / static_cast<double>(n);
}

}  // namespace mnisttrain::kernels
