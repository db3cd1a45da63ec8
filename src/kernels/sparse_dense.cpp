// Sparse-input dense-layer kernels and their dense references; see sparse_dense.h.
//
// Both products walk the batch by pixel over one block of up to kPanelUnits output units at a
// time, in a contiguous (B, kPanelUnits) panel: row-major slices of a (B, 512) matrix sit 2 KB
// apart and crowd a few cache sets, the panel does not. The forward seeds the panel with the
// bias (part 0) or zeros (part 1), holds the kernel rows of a pixel pair in registers and adds
// them to the panel rows of the samples that have either pixel lit (one block of kSampleBlock
// samples, one mask word, at a time); add_forward_parts then writes part 0 + part 1 out. The
// weight gradient reads dZ packed into panels, holds a gradient row in registers and sums the
// panel rows of that pixel's lit samples into it. Every output element is a sum in a fixed order
// (increasing pixel within a fixed part, or increasing sample) whatever the ranges: results do
// not depend on how the work is split between threads.
#include "kernels/sparse_dense.h"

#include "kernels/vec.h"
#include "pixels.h"

#include <algorithm>

// The transposition's vector paths need AVX-512's byte and 128-bit forms (BW, VL) besides F.
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

// A column's values, as the products read them: from the bytes of a batch stored from images,
// or from its floats.
struct ByteColumn {
  const std::uint8_t* bytes;
  float operator[](std::size_t b) const { return kPixelValues[bytes[b]]; }
};
struct FloatColumn {
  const float* floats;
  float operator[](std::size_t b) const { return floats[b]; }
};

// Calls kernel(column) with the batch's accessor: column(p) gives pixel p's values.
template <typename Kernel>
void with_columns(const SparseBatch& x, Kernel kernel) {
  const std::size_t stride = x.stride;
  if (x.from_floats) {
    const float* floats = x.column_floats.data();
    kernel([floats, stride](std::size_t p) { return FloatColumn{floats + p * stride}; });
  } else {
    const std::uint8_t* bytes = x.column_bytes.data();
    kernel([bytes, stride](std::size_t p) { return ByteColumn{bytes + p * stride}; });
  }
}

// panel[b] += x[b, p] * weight[p] for the pixels in `pixels` (starting at an even pixel) in
// increasing order and, for each, the lit samples of block `sample_block`; `Vectors` vectors
// of units, the panel and weight already offset to them. Pixels go by pairs, each lit sample
// adding x[b, 2q] * weight[2q] and then x[b, 2q + 1] * weight[2q + 1] (the same order); an odd
// last pixel goes alone. The loops over a mask's bits are written out with local pointers:
// through a lambda per bit the compiler kept the pointers on the stack.
template <std::size_t Vectors, typename Columns>
void add_kernel_rows(float* panel, const SparseBatch& x, const Columns& column, const float* weight,
                     std::size_t OC, std::size_t tail, Range pixels, std::size_t sample_block) {
  const std::size_t first = sample_block * kSampleBlock, blocks = x.sample_blocks();
  const std::uint64_t* lit = x.lit.data() + sample_block;  // lit[p * blocks]: pixel p's mask
  float* block_rows = panel + first * kPanelUnits;
  for (std::size_t q = pixels.begin / 2; q < pixels.end / 2; ++q) {
    std::uint64_t samples = lit[2 * q * blocks] | lit[(2 * q + 1) * blocks];
    if (samples == 0) continue;
    Vec even[Vectors], odd[Vectors];
    load_row<Vectors>(even, weight + 2 * q * OC, tail);
    load_row<Vectors>(odd, weight + (2 * q + 1) * OC, tail);
    const auto even_values = column(2 * q), odd_values = column(2 * q + 1);
    for (; samples != 0; samples &= samples - 1) {
      const auto i = static_cast<std::size_t>(__builtin_ctzll(samples));
      float* row = block_rows + i * kPanelUnits;
      const float v0 = even_values[first + i], v1 = odd_values[first + i];
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
  const auto values = column(p);
  for (std::uint64_t samples = lit[p * blocks]; samples != 0; samples &= samples - 1) {
    const auto i = static_cast<std::size_t>(__builtin_ctzll(samples));
    float* row = block_rows + i * kPanelUnits;
    const float v = values[first + i];
    for (std::size_t k = 0; k < Vectors; ++k) store(row + k * kLanes, load(row + k * kLanes) + v * w[k]);
  }
}

// acc += x[b, p] * panel[b] for each lit sample b of pixel p, in increasing order, calling
// after_entry() after each.
template <std::size_t Vectors, typename Columns, typename AfterEntry>
inline void add_lit_rows(Vec* acc, const SparseBatch& x, const Columns& column, const float* panel, std::size_t p,
                         AfterEntry after_entry) {
  const auto values = column(p);
  const std::uint64_t* lit = x.lit.data() + p * x.sample_blocks();
  for (std::size_t s = 0, blocks = x.sample_blocks(); s < blocks; ++s) {
    const std::size_t first = s * kSampleBlock;
    const float* block_rows = panel + first * kPanelUnits;
    for (std::uint64_t samples = lit[s]; samples != 0; samples &= samples - 1) {
      const auto i = static_cast<std::size_t>(__builtin_ctzll(samples));
      const float* row = block_rows + i * kPanelUnits;
      const float v = values[first + i];
      for (std::size_t k = 0; k < Vectors; ++k) acc[k] += v * load(row + k * kLanes);
      after_entry();
    }
  }
}

// dweight[p, column ...] = sum over the lit samples b of pixel p of x[b, p] * panel[b], for the
// pixels in `pixels`, into dweight or the sink; `Vectors` vectors of units from `column`, the
// panel already offset to them.
template <std::size_t Vectors, typename Columns>
void sum_panel_rows(float* dweight, const GradientSink* sink, const SparseBatch& x, const Columns& columns,
                    const float* panel, std::size_t OC, std::size_t column, std::size_t tail, Range pixels) {
  for (std::size_t p = pixels.begin; p < pixels.end; ++p) {
    Vec acc[Vectors] = {};
    add_lit_rows<Vectors>(acc, x, columns, panel, p, [] {});
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
template <typename Columns>
void sum_panel_rows_updating(const RmspropVectors& rmsprop, const SparseBatch& x, const Columns& columns,
                             const float* panel, std::size_t OC, std::size_t column, Range pixels) {
  Vec finished[kPanelVectors];
  std::size_t finished_offset = 0, next = kPanelVectors;  // finished[next, kPanelVectors) still to update
  const auto update_next = [&] {
    rmsprop.update(finished_offset + next * kLanes, finished[next]);
    ++next;
  };
  for (std::size_t p = pixels.begin; p < pixels.end; ++p) {
    Vec acc[kPanelVectors] = {};
    std::size_t entries_left = kEntriesPerUpdate;
    add_lit_rows<kPanelVectors>(acc, x, columns, panel, p, [&] {
      if (--entries_left == 0) {
        entries_left = kEntriesPerUpdate;
        if (next < kPanelVectors) update_next();
      }
    });
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
  const std::size_t max_stride = (max_rows + kSampleBlock - 1) / kSampleBlock * kSampleBlock;
  column_bytes.resize(all_columns * max_stride);
  lit.resize(all_columns * (max_stride / kSampleBlock));
  const std::size_t blocks = (max_units + kPanelUnits - 1) / kPanelUnits;
  panel_set_floats = blocks * max_rows * kPanelUnits;
  panels.resize(kForwardParts * panel_set_floats + 64 / sizeof(float));
}

void SparseBatch::start(std::size_t B, std::size_t C) {
  rows = B;
  cols = C;
  stride = (B + kSampleBlock - 1) / kSampleBlock * kSampleBlock;
  from_floats = false;
  if (!ones_column) return;
  // The ones column: every sample, with the byte whose value is 1.
  std::uint8_t* ones = column_bytes.data() + C * stride;
  std::fill(ones, ones + B, std::uint8_t{255});
  std::fill(ones + B, ones + stride, std::uint8_t{0});
  for (std::size_t s = 0; s < sample_blocks(); ++s) {
    const std::size_t count = std::min(kSampleBlock, B - s * kSampleBlock);
    lit[C * sample_blocks() + s] = count == kSampleBlock ? ~std::uint64_t{0} : (std::uint64_t{1} << count) - 1;
  }
}

float SparseBatch::value(std::size_t b, std::size_t p) const {
  // Through the products' own accessors, so that what the tests read is what the products read.
  if (from_floats) return FloatColumn{column_floats.data() + p * stride}[b];
  return ByteColumn{column_bytes.data() + p * stride}[b];
}

std::size_t SparseBatch::nonzeros() const {
  std::size_t count = 0;
  for (std::size_t i = 0; i < cols * sample_blocks(); ++i) count += static_cast<std::size_t>(__builtin_popcountll(lit[i]));
  return count;
}

void SparseBatch::build(const float* x, std::size_t B, std::size_t C) {
  start(B, C);
  from_floats = true;
  column_floats.resize(gradient_rows() * stride);  // grows once: this path serves a few samples
  std::fill(lit.begin(), lit.begin() + static_cast<std::ptrdiff_t>(gradient_rows() * sample_blocks()), 0);
  for (std::size_t p = 0; p < gradient_rows(); ++p) {
    for (std::size_t b = 0; b < stride; ++b) {
      const float v = b >= B ? 0.0f : p == C ? 1.0f : x[b * C + p];
      column_floats[p * stride + b] = v;
      if (v != 0.0f) lit[p * sample_blocks() + b / kSampleBlock] |= std::uint64_t{1} << (b % kSampleBlock);
    }
  }
}

namespace {

// columns[(p + k) * stride + b] = images[b][p + k] for the band's `width` pixels from p, and 0
// for the samples from B to the stride.
void transpose_band(std::uint8_t* columns, const std::uint8_t* const* images, std::size_t B, std::size_t stride,
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
      for (std::size_t k = 0; k < 16; ++k) _mm_storeu_si128(reinterpret_cast<__m128i*>(columns + (p + k) * stride + b), r[k]);
    }
  }
#endif
  for (; b < B; ++b) {
    for (std::size_t k = 0; k < width; ++k) columns[(p + k) * stride + b] = images[b][p + k];
  }
  for (std::size_t k = 0; k < width; ++k) std::fill(columns + (p + k) * stride + B, columns + (p + k) * stride + stride, std::uint8_t{0});
}

// The mask of the non-zero bytes among the kSampleBlock at `bytes`: bit i for byte i.
std::uint64_t nonzero_bytes(const std::uint8_t* bytes) {
#if MNISTTRAIN_AVX512_BYTES
  const __m512i block = _mm512_loadu_si512(bytes);
  return _mm512_test_epi8_mask(block, block);
#else
  std::uint64_t mask = 0;
  for (std::size_t i = 0; i < kSampleBlock; ++i) mask |= std::uint64_t{bytes[i] != 0} << i;
  return mask;
#endif
}

}  // namespace

void SparseBatch::transpose_columns(const std::uint8_t* const* images, Range pixels) {
  for (std::size_t p = pixels.begin; p < pixels.end; p += kPixelBand) {
    transpose_band(column_bytes.data(), images, rows, stride, p, std::min(kPixelBand, pixels.end - p));
  }
  for (std::size_t p = pixels.begin; p < pixels.end; ++p) {
    for (std::size_t s = 0; s < sample_blocks(); ++s) {
      lit[p * sample_blocks() + s] = nonzero_bytes(column_bytes.data() + p * stride + s * kSampleBlock);
    }
  }
}

void SparseBatch::build(const std::uint8_t* const* images, std::size_t B, std::size_t C) {
  start(B, C);
  transpose_columns(images, {0, C});
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
    with_columns(x, [&](const auto& column) {
      over_vectors(
          block.width,
          [&](std::size_t, std::size_t) { add_kernel_rows<kPanelVectors>(block.panel, x, column, weight + j, OC, kLanes, pixels, sample_block); },
          [&](std::size_t k, std::size_t tail) { add_kernel_rows<1>(block.panel + k, x, column, weight + j + k, OC, tail, pixels, sample_block); });
    });
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
      with_columns(x, [&](const auto& column) {
        over_vectors(
            block.width,
            [&](std::size_t, std::size_t) {
              if (sink && sink->rmsprop) sum_panel_rows_updating(*sink->rmsprop, x, column, block.panel, OC, j, rows);
              else sum_panel_rows<kPanelVectors>(dweight, sink, x, column, block.panel, OC, j, kLanes, rows);
            },
            [&](std::size_t k, std::size_t tail) { sum_panel_rows<1>(dweight, sink, x, column, block.panel + k, OC, j + k, tail, rows); });
      });
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
