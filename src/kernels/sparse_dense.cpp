// Sparse-input dense-layer kernels and their dense references; see sparse_dense.h.
//
// Both products walk the batch by pixel over one block of up to kPanelUnits output units at a
// time, in a contiguous (B, kPanelUnits) panel: row-major slices of a (B, 512) matrix sit 2 KB
// apart and crowd a few cache sets, the panel does not. The forward seeds the panel with the
// bias (part 0) or zeros (part 1), holds the kernel rows of a pixel pair in registers and adds
// them to the panel rows of the samples that have either pixel lit (one block of kSampleBlock
// samples at a time); add_forward_parts then writes part 0 + part 1 out. The weight gradient
// reads dZ packed into panels, holds a gradient row in registers and sums the panel rows of
// that pixel's samples into it. Every output element is a sum in a fixed order
// (increasing pixel within a fixed part, or increasing sample) whatever the ranges: results do
// not depend on how the work is split between threads.
#include "kernels/sparse_dense.h"

#include "kernels/vec.h"
#include "pixels.h"

#include <algorithm>
#include <array>
#include <cmath>

// The compression's vector paths need AVX-512's byte and 128-bit forms (BW, VL) besides F.
#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#define MNISTTRAIN_AVX512_BYTES 1
#else
#define MNISTTRAIN_AVX512_BYTES 0
#endif

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
                     std::size_t tail, Range pixels, std::size_t sample_block) {
  const std::uint32_t* pair_sample = x.pair_sample.data();
  const float* pair_value = x.pair_value.data();
  for (std::size_t q = pixels.begin / 2; q < pixels.end / 2; ++q) {
    const Range entries = x.pair_entries(q, sample_block);
    if (entries.size() == 0) continue;
    Vec even[Vectors], odd[Vectors];
    load_row<Vectors>(even, weight + 2 * q * OC, tail);
    load_row<Vectors>(odd, weight + (2 * q + 1) * OC, tail);
    for (std::size_t e = entries.begin; e < entries.end; ++e) {
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
    if (x.col_sample[e] / kSampleBlock != sample_block) continue;
    float* row = panel + static_cast<std::size_t>(x.col_sample[e]) * kPanelUnits;
    const float v = x.col_value[e];
    for (std::size_t k = 0; k < Vectors; ++k) store(row + k * kLanes, load(row + k * kLanes) + v * w[k]);
  }
}

// The batch's columns as plain pointers, taken out of the batch once per call: with RMSprop's
// stores to w and v among a column's entries (through memcpy, which may alias anything), the
// compiler would otherwise load them out of the batch's vectors again for every entry.
struct Columns {
  const std::uint32_t* start;
  const std::uint32_t* sample;
  const float* value;
  explicit Columns(const SparseBatch& x) : start(x.col_start.data()), sample(x.col_sample.data()), value(x.col_value.data()) {}
};

// acc += x[b, p] * panel[b] for entry e of the columns (sample b of pixel p).
template <std::size_t Vectors>
inline void add_entry(Vec* acc, const Columns& columns, const float* panel, std::uint32_t e) {
  const float* row = panel + static_cast<std::size_t>(columns.sample[e]) * kPanelUnits;
  const float v = columns.value[e];
  for (std::size_t k = 0; k < Vectors; ++k) acc[k] += v * load(row + k * kLanes);
}

// dweight[p, column ...] = sum over the samples b of pixel p of x[b, p] * panel[b], for the
// pixels in `pixels`, into dweight or the sink; `Vectors` vectors of units from `column`, the
// panel already offset to them.
template <std::size_t Vectors>
void sum_panel_rows(float* dweight, const GradientSink* sink, const SparseBatch& x,
                    const float* panel, std::size_t OC, std::size_t column, std::size_t tail,
                    Range pixels) {
  const Columns columns(x);
  for (std::size_t p = pixels.begin; p < pixels.end; ++p) {
    Vec acc[Vectors] = {};
    for (std::uint32_t e = columns.start[p]; e < columns.start[p + 1]; ++e) add_entry<Vectors>(acc, columns, panel, e);
    if (sink) {
      float gradient[Vectors * kLanes];
      store_row<Vectors>(gradient, acc, tail);
      sink->take(sink->context, p * OC + column, gradient, (Vectors - 1) * kLanes + tail);
    } else {
      store_row<Vectors>(dweight + p * OC + column, acc, tail);
    }
  }
}

// sum_panel_rows for a whole panel's width with sink->rmsprop: each row's finished gradient
// waits in registers while the next row is summed, and is handed to RMSprop a vector at a
// time among that sum's entries (GradientSink).
void sum_panel_rows_updating(const RmspropVectors& rmsprop, const SparseBatch& x, const float* panel,
                             std::size_t OC, std::size_t column, Range pixels) {
  Vec finished[kPanelVectors];
  std::size_t finished_offset = 0, next = kPanelVectors;  // finished[next, kPanelVectors) still to update
  const auto update_next = [&] {
    rmsprop.update(finished_offset + next * kLanes, finished[next]);
    ++next;
  };
  const Columns columns(x);
  for (std::size_t p = pixels.begin; p < pixels.end; ++p) {
    Vec acc[kPanelVectors] = {};
    std::size_t entries_left = kEntriesPerUpdate;
    for (std::uint32_t e = columns.start[p]; e < columns.start[p + 1]; ++e) {
      add_entry<kPanelVectors>(acc, columns, panel, e);
      if (--entries_left == 0) {
        entries_left = kEntriesPerUpdate;
        if (next < kPanelVectors) update_next();
      }
    }
    while (next < kPanelVectors) update_next();
    std::copy(acc, acc + kPanelVectors, finished);
    finished_offset = p * OC + column;
    next = 0;
  }
  while (next < kPanelVectors) update_next();
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

void SparseBatch::reserve(std::size_t max_rows, std::size_t columns, std::size_t max_units, std::size_t row_width,
                          bool ones) {
  width = row_width;
  ones_column = ones;
  const std::size_t all_columns = columns + (ones ? 1 : 0);
  col_start.resize(all_columns + 1);
  col_sample.resize(max_rows * all_columns);
  col_value.resize(max_rows * all_columns);
  pair_start.resize(columns / 2 + 1);
  pair_sample.resize(max_rows * (columns / 2));
  pair_value.resize(max_rows * (columns / 2) * 2);
  pair_block_start.resize(columns / 2 * ((max_rows + kSampleBlock - 1) / kSampleBlock));
  pixels_by_column.resize(max_rows * columns);
  const std::size_t blocks = (max_units + kPanelUnits - 1) / kPanelUnits;
  panel_set_floats = blocks * max_rows * kPanelUnits;
  panels.resize(kForwardParts * panel_set_floats + 64 / sizeof(float));
}

void SparseBatch::start(std::size_t B, std::size_t C) {
  rows = B;
  cols = C;
}

std::size_t SparseBatch::sample_blocks() const { return (rows + kSampleBlock - 1) / kSampleBlock; }

Range SparseBatch::pair_entries(std::size_t q, std::size_t s) const {
  const std::size_t blocks = sample_blocks();
  const std::size_t last = s + 1 < blocks ? pair_block_start[q * blocks + s + 1] : pair_start[q + 1];
  return {pair_block_start[q * blocks + s], last};
}

void SparseBatch::build(const float* x, std::size_t B, std::size_t C) {
  start(B, C);
  // Counts first (col_start[p + 1], pair_start[q + 1]), then their prefix sums, then the entries
  // appended column by column in increasing sample order.
  std::fill(col_start.begin(), col_start.begin() + static_cast<std::ptrdiff_t>(C + 1), 0u);
  std::fill(pair_start.begin(), pair_start.begin() + static_cast<std::ptrdiff_t>(C / 2 + 1), 0u);
  for (std::size_t b = 0; b < B; ++b) {
    const float* row = x + b * C;
    for (std::size_t p = 0; p < C; ++p) col_start[p + 1] += row[p] != 0.0f;
    for (std::size_t q = 0; q < C / 2; ++q) pair_start[q + 1] += row[2 * q] != 0.0f || row[2 * q + 1] != 0.0f;
  }
  index_columns();
  for (std::size_t p = 0; p < C; ++p) {
    std::uint32_t slot = col_start[p];
    for (std::size_t b = 0; b < B; ++b) {
      if (x[b * C + p] == 0.0f) continue;
      col_sample[slot] = static_cast<std::uint32_t>(b);
      col_value[slot++] = x[b * C + p];
    }
  }
  const std::size_t blocks = sample_blocks();
  for (std::size_t q = 0; q < C / 2; ++q) {
    std::uint32_t slot = pair_start[q];
    for (std::size_t b = 0; b < B; ++b) {
      if (b % kSampleBlock == 0) pair_block_start[q * blocks + b / kSampleBlock] = slot;
      const float even = x[b * C + 2 * q], odd = x[b * C + 2 * q + 1];
      if (even == 0.0f && odd == 0.0f) continue;
      pair_sample[slot] = static_cast<std::uint32_t>(b);
      pair_value[2 * slot] = even;
      pair_value[2 * slot++ + 1] = odd;
    }
  }
}

namespace {

// columns[(p + k) * B + b] = images[b][p + k] for the band's `width` pixels from p.
void transpose_band(std::uint8_t* columns, const std::uint8_t* const* images, std::size_t B,
                    std::size_t p, std::size_t width) {
  std::size_t b = 0;
#if MNISTTRAIN_AVX512_BYTES
  if (width == kPixelBand) {
    // 16 rows of 16 bytes into 16 columns: interleaving register i with register i + 8, byte
    // by byte, rotates the bits of (register, byte) left by one; four rounds swap the two.
    for (; b + 16 <= B; b += 16) {
      __m128i r[16], t[16];
      for (std::size_t i = 0; i < 16; ++i) r[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(images[b + i] + p));
      for (int round = 0; round < 4; ++round) {
        for (std::size_t i = 0; i < 8; ++i) {
          t[2 * i] = _mm_unpacklo_epi8(r[i], r[i + 8]);
          t[2 * i + 1] = _mm_unpackhi_epi8(r[i], r[i + 8]);
        }
        std::copy(t, t + 16, r);
      }
      for (std::size_t k = 0; k < 16; ++k) _mm_storeu_si128(reinterpret_cast<__m128i*>(columns + (p + k) * B + b), r[k]);
    }
  }
#endif
  for (; b < B; ++b) {
    for (std::size_t k = 0; k < width; ++k) columns[(p + k) * B + b] = images[b][p + k];
  }
}

// How many of the B bytes are non-zero, and at how many positions either of two is.
std::uint32_t count_nonzero(const std::uint8_t* first, const std::uint8_t* second, std::size_t B) {
  std::uint32_t count = 0;
  std::size_t b = 0;
#if MNISTTRAIN_AVX512_BYTES
  for (; b + 64 <= B; b += 64) {
    __m512i lit = _mm512_loadu_si512(first + b);
    if (second) lit = _mm512_or_si512(lit, _mm512_loadu_si512(second + b));
    count += static_cast<std::uint32_t>(__builtin_popcountll(_mm512_test_epi8_mask(lit, lit)));
  }
#endif
  for (; b < B; ++b) count += (first[b] | (second ? second[b] : 0)) != 0;
  return count;
}

#if MNISTTRAIN_AVX512_BYTES
// Samples [b, b + 16) of a column: the non-zero lanes, and their values as floats.
inline __mmask16 nonzero_lanes(const std::uint8_t* column) {
  return _mm_cmpneq_epi8_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(column)), _mm_setzero_si128());
}

// pixel / 255 for 16 pixels: the float quotient, which is what scaled_pixel's double product
// gives for every pixel value (tested), without a division (the divider is slow and RMSprop's):
// the product by 1/255 is the quotient or next to it, and one fused step on the exact residual
// pixel - q * 255 rounds it to the quotient, for each of the 256 byte values (tested: the
// compression from bytes equals the plain build for every value).
inline __m512 scaled_pixels(const std::uint8_t* column) {
  const __m512i wide = _mm512_maskz_cvtepu8_epi32(0xFFFF, _mm_loadu_si128(reinterpret_cast<const __m128i*>(column)));
  const __m512 pixels = _mm512_maskz_cvtepi32_ps(0xFFFF, wide);
  const __m512 inverse = _mm512_set1_ps(1.0f / 255.0f);
  const __m512 product = _mm512_mul_ps(pixels, inverse);
  const __m512 residual = _mm512_fnmadd_ps(product, _mm512_set1_ps(255.0f), pixels);
  return _mm512_fmadd_ps(residual, inverse, product);
}

#endif

// Appends column p's non-zero samples from its bytes, in sample order, from slot `slot`.
void fill_column(SparseBatch& x, const std::uint8_t* column, std::uint32_t slot) {
  std::size_t b = 0;
#if MNISTTRAIN_AVX512_BYTES
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (; b + 16 <= x.rows; b += 16) {
    const __mmask16 lit = nonzero_lanes(column + b);
    if (!lit) continue;
    const unsigned n = static_cast<unsigned>(__builtin_popcount(lit));
    const __m512i samples = _mm512_add_epi32(lanes, _mm512_set1_epi32(static_cast<int>(b)));
    _mm512_mask_storeu_epi32(x.col_sample.data() + slot, first_lanes(n), _mm512_maskz_compress_epi32(lit, samples));
    _mm512_mask_storeu_ps(x.col_value.data() + slot, first_lanes(n), _mm512_maskz_compress_ps(lit, scaled_pixels(column + b)));
    slot += n;
  }
#endif
  for (; b < x.rows; ++b) {
    if (column[b] == 0) continue;
    x.col_sample[slot] = static_cast<std::uint32_t>(b);
    x.col_value[slot++] = scaled_pixel(column[b]);
  }
}

// Appends pair q's samples (either pixel non-zero) with both values, from slot `slot`, and
// where each block of samples starts.
void fill_pair(SparseBatch& x, std::size_t q, const std::uint8_t* even, const std::uint8_t* odd, std::uint32_t slot) {
  std::uint32_t* block_start = x.pair_block_start.data() + q * x.sample_blocks();
  std::size_t b = 0;
#if MNISTTRAIN_AVX512_BYTES
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  // Interleaving two vectors of values into (even, odd) pairs: the first 8 pairs, the last 8.
  const __m512i first_pairs = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i last_pairs = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  for (; b + 16 <= x.rows; b += 16) {
    if (b % kSampleBlock == 0) block_start[b / kSampleBlock] = slot;
    const __mmask16 lit = nonzero_lanes(even + b) | nonzero_lanes(odd + b);
    if (!lit) continue;
    const unsigned n = static_cast<unsigned>(__builtin_popcount(lit));
    const __m512i samples = _mm512_add_epi32(lanes, _mm512_set1_epi32(static_cast<int>(b)));
    _mm512_mask_storeu_epi32(x.pair_sample.data() + slot, first_lanes(n), _mm512_maskz_compress_epi32(lit, samples));
    const __m512 e = _mm512_maskz_compress_ps(lit, scaled_pixels(even + b));
    const __m512 o = _mm512_maskz_compress_ps(lit, scaled_pixels(odd + b));
    float* out = x.pair_value.data() + 2 * static_cast<std::size_t>(slot);
    _mm512_mask_storeu_ps(out, first_lanes(std::min(2 * n, 16u)), _mm512_permutex2var_ps(e, first_pairs, o));
    if (n > 8) _mm512_mask_storeu_ps(out + 16, first_lanes(2 * n - 16), _mm512_permutex2var_ps(e, last_pairs, o));
    slot += n;
  }
#endif
  for (; b < x.rows; ++b) {
    if (b % kSampleBlock == 0) block_start[b / kSampleBlock] = slot;
    if ((even[b] | odd[b]) == 0) continue;
    x.pair_sample[slot] = static_cast<std::uint32_t>(b);
    x.pair_value[2 * static_cast<std::size_t>(slot)] = scaled_pixel(even[b]);
    x.pair_value[2 * static_cast<std::size_t>(slot++) + 1] = scaled_pixel(odd[b]);
  }
}

}  // namespace

void SparseBatch::count_columns(const std::uint8_t* const* images, Range pixels) {
  // Column p's count goes to col_start[p + 1], pair q's to pair_start[q + 1], for
  // index_columns() to sum up.
  const std::size_t B = rows;
  for (std::size_t p = pixels.begin; p < pixels.end; p += kPixelBand) {
    transpose_band(pixels_by_column.data(), images, B, p, std::min(kPixelBand, pixels.end - p));
  }
  const std::uint8_t* columns = pixels_by_column.data();
  for (std::size_t p = pixels.begin; p < pixels.end; ++p) col_start[p + 1] = count_nonzero(columns + p * B, nullptr, B);
  for (std::size_t q = pixels.begin / 2; q < std::min(pixels.end, cols / 2 * 2) / 2; ++q) {
    pair_start[q + 1] = count_nonzero(columns + 2 * q * B, columns + (2 * q + 1) * B, B);
  }
}

void SparseBatch::index_columns() {
  col_start[0] = 0;
  for (std::size_t p = 0; p < cols; ++p) col_start[p + 1] += col_start[p];
  pair_start[0] = 0;
  for (std::size_t q = 0; q < cols / 2; ++q) pair_start[q + 1] += pair_start[q];
  if (!ones_column) return;
  // The ones column: every sample, with value 1, after the pixels' entries.
  const std::uint32_t first = col_start[cols];
  col_start[cols + 1] = first + static_cast<std::uint32_t>(rows);
  for (std::size_t b = 0; b < rows; ++b) {
    col_sample[first + b] = static_cast<std::uint32_t>(b);
    col_value[first + b] = 1.0f;
  }
}

void SparseBatch::fill_columns(Range pixels) {
  const std::uint8_t* columns = pixels_by_column.data();
  for (std::size_t p = pixels.begin; p < pixels.end; ++p) fill_column(*this, columns + p * rows, col_start[p]);
  for (std::size_t q = pixels.begin / 2; q < std::min(pixels.end, cols / 2 * 2) / 2; ++q) {
    fill_pair(*this, q, columns + 2 * q * rows, columns + (2 * q + 1) * rows, pair_start[q]);
  }
}

void SparseBatch::build(const std::uint8_t* const* images, std::size_t B, std::size_t C) {
  start(B, C);
  count_columns(images, {0, C});
  index_columns();
  fill_columns({0, C});
}

Range forward_part(const SparseBatch& x, int part) {
  const std::size_t C = x.cols;
  const std::size_t row = x.width > 0 && x.width <= C ? x.width : C;
  const std::size_t middle = std::min(C, (C / row / 2 * row + row / 2) / 2 * 2);  // even: pairs stay whole
  return part == 0 ? Range{0, middle} : Range{middle, C};
}

void sparse_dense_forward_part(const SparseBatch& x, const float* weight, const float* bias,
                               std::size_t OC, int part, Range units, std::size_t sample_block) {
  const Range pixels = forward_part(x, part);
  const Range samples{sample_block * kSampleBlock, std::min(x.rows, (sample_block + 1) * kSampleBlock)};
  for (std::size_t j = units.begin; j < units.end;) {
    const UnitBlock block = unit_block(x, j, units.end, part);
    for (std::size_t b = samples.begin; b < samples.end; ++b) {
      float* row = block.panel + b * kPanelUnits;
      for (std::size_t k = 0; k < block.width; ++k) row[k] = part == 0 && bias ? bias[j + k] : 0.0f;
    }
    over_vectors(
        block.width,
        [&](std::size_t, std::size_t) { add_kernel_rows<kPanelVectors>(block.panel, x, weight + j, OC, kLanes, pixels, sample_block); },
        [&](std::size_t k, std::size_t tail) { add_kernel_rows<1>(block.panel + k, x, weight + j + k, OC, tail, pixels, sample_block); });
    j += block.width;
  }
}

void add_forward_parts(float* out, const SparseBatch& x, std::size_t OC, Range samples) {
  for (std::size_t j = 0; j < OC;) {
    const UnitBlock first = unit_block(x, j, OC, 0), second = unit_block(x, j, OC, 1);
    for (std::size_t b = samples.begin; b < samples.end; ++b) {
      const float* a = first.panel + b * kPanelUnits;
      const float* c = second.panel + b * kPanelUnits;
      for (std::size_t k = 0; k < first.width; ++k) out[b * OC + j + k] = a[k] + c[k];
    }
    j += first.width;
  }
}

void sparse_dense_forward(float* out, const SparseBatch& x, const float* weight, const float* bias,
                          std::size_t OC) {
  for (int part = 0; part < kForwardParts; ++part) {
    for (std::size_t block = 0; block < x.sample_blocks(); ++block) sparse_dense_forward_part(x, weight, bias, OC, part, {0, OC}, block);
  }
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
  // A few pixels' whole rows at a time, block after block: the rows of dW (or of the weights
  // and moments the sink updates) are then visited in stretches, not in strided pieces.
  for (std::size_t first = pixels.begin; first < pixels.end; first += kGradientRows) {
    const Range rows{first, std::min(pixels.end, first + kGradientRows)};
    for (std::size_t j = 0; j < OC;) {
      const UnitBlock block = unit_block(x, j, OC);
      over_vectors(
          block.width,
          [&](std::size_t, std::size_t) {
            if (sink && sink->rmsprop) sum_panel_rows_updating(*sink->rmsprop, x, block.panel, OC, j, rows);
            else sum_panel_rows<kPanelVectors>(dweight, sink, x, block.panel, OC, j, kLanes, rows);
          },
          [&](std::size_t k, std::size_t tail) { sum_panel_rows<1>(dweight, sink, x, block.panel + k, OC, j + k, tail, rows); });
      j += block.width;
    }
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
  // Counted in blocks with a 32-bit sum, which the compiler vectorizes over bytes.
  std::size_t nonzero = 0;
  for (std::size_t start = 0; start < n; start += 65536) {
    std::uint32_t block = 0;
    for (std::size_t i = start; i < std::min(n, start + 65536); ++i) block += values[i] != 0;
    nonzero += block;
  }
  return static_cast<double>(nonzero) / static_cast<double>(n);
}

}  // namespace mnisttrain::kernels
