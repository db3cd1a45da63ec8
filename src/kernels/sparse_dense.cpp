// Sparse-input dense-layer kernels and their dense references; see sparse_dense.h.
//
// Both products walk the batch by pixel (CSC) over one block of up to kPanelUnits output units
// at a time, with that block's (B, width) slice of out (or of dout) copied into a contiguous
// panel: row-major slices of a (B, 512) matrix sit 2 KB apart and crowd a few cache sets, the
// panel does not. The forward holds a kernel row in registers and adds it to the panel rows of
// the samples that have that pixel; the weight gradient holds a gradient row in registers and
// sums the panel rows of those samples into it. Every output element is a sum in a fixed order
// (increasing pixel, or increasing sample) whatever the ranges: results do not depend on how
// the work is split between threads, and match a walk by sample bit for bit.
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

UnitBlock unit_block(const SparseBatch& x, std::size_t j, std::size_t units_end) {
  const std::size_t index = j / kPanelUnits, column = j % kPanelUnits;
  const std::size_t width = std::min(units_end, (index + 1) * kPanelUnits) - j;
  return {j, width, first_panel(x) + index * x.rows * kPanelUnits + column};
}

// The samples of pixel p's column inside `samples`: entries [first, last) of the CSC arrays.
void column_entries(const SparseBatch& x, std::size_t p, Range samples, std::uint32_t& first,
                    std::uint32_t& last) {
  const std::uint32_t* begin = x.col_sample.data() + x.col_start[p];
  const std::uint32_t* end = x.col_sample.data() + x.col_start[p + 1];
  if (samples.begin > 0) begin = std::lower_bound(begin, end, static_cast<std::uint32_t>(samples.begin));
  if (samples.end < x.rows) end = std::lower_bound(begin, end, static_cast<std::uint32_t>(samples.end));
  first = static_cast<std::uint32_t>(begin - x.col_sample.data());
  last = static_cast<std::uint32_t>(end - x.col_sample.data());
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

// panel[b] += x[b, p] * weight[p] for the pixels in increasing order and, for each, its samples;
// `Vectors` vectors of units, the panel and weight already offset to them.
template <std::size_t Vectors>
void add_kernel_rows(float* panel, const SparseBatch& x, const float* weight, std::size_t OC,
                     std::size_t tail, Range samples) {
  const std::uint32_t* sample = x.col_sample.data();
  const float* value = x.col_value.data();
  for (std::size_t p = 0; p < x.cols; ++p) {
    std::uint32_t first, last;
    column_entries(x, p, samples, first, last);
    if (first == last) continue;
    Vec w[Vectors];
    load_row<Vectors>(w, weight + p * OC, tail);
    for (std::uint32_t e = first; e < last; ++e) {
      float* row = panel + static_cast<std::size_t>(sample[e]) * kPanelUnits;
      const float v = value[e];
      for (std::size_t k = 0; k < Vectors; ++k) store(row + k * kLanes, load(row + k * kLanes) + v * w[k]);
    }
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

void SparseBatch::reserve(std::size_t max_rows, std::size_t columns, std::size_t max_units,
                          std::size_t max_shares) {
  row_end.resize(max_rows);
  col_start.resize(columns + 1);
  // Compressing a row may write up to a vector past its last non-zero, never past its stretch.
  row_pixel.resize(max_rows * columns);
  row_value.resize(max_rows * columns);
  col_sample.resize(max_rows * columns);
  col_value.resize(max_rows * columns);
  share_cursor.resize(std::max<std::size_t>(1, max_shares) * columns);
  const std::size_t blocks = (max_units + kPanelUnits - 1) / kPanelUnits;
  panels.resize(blocks * max_rows * kPanelUnits + 64 / sizeof(float));
}

namespace {

// Appends row b's non-zero pixels (index and value, increasing index) at nnz and counts them per
// pixel into counts[p]; returns the new nnz. Branch-free: every pixel is written at the next free
// slot, and the cursor moves past the non-zero ones only (a write past the row's last non-zero
// stays inside the row's stretch).
std::uint32_t compress_row_plain(const float* row, std::size_t begin, std::size_t C,
                                 std::uint32_t* pixel, float* value, std::uint32_t* counts,
                                 std::uint32_t nnz) {
  for (std::size_t p = begin; p < C; ++p) {
    const bool nonzero = row[p] != 0.0f;
    pixel[nnz] = static_cast<std::uint32_t>(p);
    value[nnz] = row[p];
    counts[p] += nonzero;
    nnz += nonzero;
  }
  return nnz;
}

// The same, 16 pixels at a time: a mask of the non-zero ones packs them together, and a blank
// run of 16 (most of an MNIST image's border) costs one comparison.
std::uint32_t compress_row(const float* row, std::size_t C, std::uint32_t* pixel, float* value,
                           std::uint32_t* counts, std::uint32_t nnz) {
  std::size_t p = 0;
#if defined(__AVX512F__)
  const __m512i lane_index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i one = _mm512_set1_epi32(1);
  for (; p + 16 <= C; p += 16) {
    const __m512 v = _mm512_loadu_ps(row + p);
    const __mmask16 nonzero = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_NEQ_UQ);
    if (nonzero == 0) continue;
    const __m512i index = _mm512_add_epi32(lane_index, _mm512_set1_epi32(static_cast<int>(p)));
    _mm512_storeu_ps(value + nnz, _mm512_maskz_compress_ps(nonzero, v));
    _mm512_storeu_si512(pixel + nnz, _mm512_maskz_compress_epi32(nonzero, index));
    const __m512i count = _mm512_loadu_si512(counts + p);
    _mm512_storeu_si512(counts + p, _mm512_mask_add_epi32(count, nonzero, count, one));
    nnz += static_cast<std::uint32_t>(__builtin_popcount(nonzero));
  }
#endif
  return compress_row_plain(row, p, C, pixel, value, counts, nnz);
}

}  // namespace

void SparseBatch::start(std::size_t B, std::size_t C) {
  rows = B;
  cols = C;
}

void SparseBatch::compress_rows(const float* x, Range samples, std::size_t share) {
  std::uint32_t* counts = share_cursor.data() + share * cols;
  std::fill(counts, counts + cols, 0u);
  for (std::size_t b = samples.begin; b < samples.end; ++b) {
    const auto first = static_cast<std::uint32_t>(b * cols);
    row_end[b] = compress_row(x + b * cols, cols, row_pixel.data(), row_value.data(), counts, first);
  }
}

void SparseBatch::index_columns(std::size_t shares) {
  std::uint32_t nnz = 0;
  for (std::size_t p = 0; p < cols; ++p) {
    col_start[p] = nnz;
    for (std::size_t s = 0; s < shares; ++s) {
      const std::uint32_t count = share_cursor[s * cols + p];
      share_cursor[s * cols + p] = nnz;  // where share s's entries of column p go
      nnz += count;
    }
  }
  col_start[cols] = nnz;
}

void SparseBatch::fill_columns(Range samples, std::size_t share) {
  std::uint32_t* cursor = share_cursor.data() + share * cols;
  // Walking samples in order fills each pixel's list in increasing sample order.
  for (std::size_t b = samples.begin; b < samples.end; ++b) {
    for (std::size_t e = b * cols; e < row_end[b]; ++e) {
      const std::uint32_t slot = cursor[row_pixel[e]]++;
      col_sample[slot] = static_cast<std::uint32_t>(b);
      col_value[slot] = row_value[e];
    }
  }
}

void SparseBatch::build(const float* x, std::size_t B, std::size_t C) {
  start(B, C);
  compress_rows(x, {0, B}, 0);
  index_columns(1);
  fill_columns({0, B}, 0);
}

void sparse_dense_forward(float* out, const SparseBatch& x, const float* weight, const float* bias,
                          std::size_t OC, Range samples, Range units) {
  for (std::size_t j = units.begin; j < units.end;) {
    const UnitBlock block = unit_block(x, j, units.end);
    for (std::size_t b = samples.begin; b < samples.end; ++b) {
      float* row = block.panel + b * kPanelUnits;
      for (std::size_t k = 0; k < block.width; ++k) row[k] = bias ? bias[j + k] : 0.0f;
    }
    over_vectors(
        block.width,
        [&](std::size_t, std::size_t) { add_kernel_rows<kPanelVectors>(block.panel, x, weight + j, OC, kLanes, samples); },
        [&](std::size_t k, std::size_t tail) { add_kernel_rows<1>(block.panel + k, x, weight + j + k, OC, tail, samples); });
    for (std::size_t b = samples.begin; b < samples.end; ++b) {
      std::copy(block.panel + b * kPanelUnits, block.panel + b * kPanelUnits + block.width, out + b * OC + j);
    }
    j += block.width;
  }
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
