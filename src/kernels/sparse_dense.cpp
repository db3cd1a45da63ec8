// Sparse-input dense-layer kernels and their dense references; see sparse_dense.h.
//
// Both kernels keep a block of kBlock output values in registers while they stream over the
// non-zero inputs, so each non-zero costs one pass over kBlock kernel (or gradient) values.
// Every output element is a sum in a fixed order (increasing pixel, or increasing sample),
// whatever the ranges: results do not depend on how the work is split between threads.
#include "kernels/sparse_dense.h"

#include "kernels/vec.h"

#include <algorithm>
#include <cmath>

namespace mnisttrain::kernels {

namespace {

constexpr std::size_t kBlock = 128;  // floats of output kept in registers: 8 AVX-512 vectors

constexpr std::size_t kVectors = kBlock / kLanes;


// acc[k] += sum over entries e of value[e] * rows[index[e] * stride + k], for k < Vectors * kLanes.
// Written with explicit vectors: the auto-vectorizer sometimes picks a scalar version of this loop.
template <std::size_t Vectors>
inline void accumulate_rows(float* acc, const std::uint32_t* index, const float* value,
                            std::size_t count, const float* rows, std::size_t stride) {
  Vec a[Vectors];
  for (std::size_t v = 0; v < Vectors; ++v) a[v] = load(acc + v * kLanes);
  for (std::size_t e = 0; e < count; ++e) {
    const float x = value[e];
    const float* row = rows + static_cast<std::size_t>(index[e]) * stride;
    for (std::size_t v = 0; v < Vectors; ++v) a[v] += x * load(row + v * kLanes);
  }
  for (std::size_t v = 0; v < Vectors; ++v) store(acc + v * kLanes, a[v]);
}

// The last columns of a block, fewer than a vector, with the same vector arithmetic, so a
// column gets the same bits here as in a full vector.
inline void accumulate_rows_tail(float* acc, std::size_t width, const std::uint32_t* index,
                                 const float* value, std::size_t count, const float* rows,
                                 std::size_t stride) {
  Vec a = load_partial(acc, width);
  for (std::size_t e = 0; e < count; ++e) {
    a += value[e] * load_partial(rows + static_cast<std::size_t>(index[e]) * stride, width);
  }
  store_partial(acc, a, width);
}

// out[j, j + width) = init (or 0) + sum over entries of value * rows[index][j, j + width).
void sum_of_rows(float* out, const float* init, const std::uint32_t* index, const float* value,
                 std::size_t count, const float* rows, std::size_t stride, std::size_t j,
                 std::size_t width) {
  float acc[kBlock];
  for (std::size_t k = 0; k < width; ++k) acc[k] = init ? init[j + k] : 0.0f;
  // The same sum for every column, however the block is cut: whole blocks, then single
  // vectors, then single floats.
  std::size_t k = 0;
  if (width == kBlock) {
    accumulate_rows<kVectors>(acc, index, value, count, rows + j, stride);
    k = kBlock;
  }
  for (; k + kLanes <= width; k += kLanes) accumulate_rows<1>(acc + k, index, value, count, rows + j + k, stride);
  if (k < width) accumulate_rows_tail(acc + k, width - k, index, value, count, rows + j + k, stride);
  std::copy(acc, acc + width, out + j);
}

}  // namespace

void SparseBatch::reserve(std::size_t max_rows, std::size_t columns) {
  row_start.resize(max_rows + 1);
  col_start.resize(columns + 1);
  row_pixel.resize(max_rows * columns);
  row_value.resize(max_rows * columns);
  col_sample.resize(max_rows * columns);
  col_value.resize(max_rows * columns);
}

void SparseBatch::build(const float* x, std::size_t B, std::size_t C) {
  rows = B;
  cols = C;
  std::fill(col_start.begin(), col_start.begin() + static_cast<std::ptrdiff_t>(C + 1), 0u);
  std::uint32_t nnz = 0;
  for (std::size_t b = 0; b < B; ++b) {
    row_start[b] = nnz;
    const float* row = x + b * C;
    // Branch-free: write every pixel at the next free slot, advance only past non-zero ones
    // (the slot after the last non-zero of the batch is always within the reserved size).
    for (std::size_t p = 0; p < C; ++p) {
      const bool nonzero = row[p] != 0.0f;
      row_pixel[nnz] = static_cast<std::uint32_t>(p);
      row_value[nnz] = row[p];
      col_start[p + 1] += nonzero;
      nnz += nonzero;
    }
  }
  row_start[B] = nnz;
  for (std::size_t p = 0; p < C; ++p) col_start[p + 1] += col_start[p];
  // Walking samples in order fills each pixel's list in increasing sample order.
  for (std::size_t b = 0; b < B; ++b) {
    for (std::uint32_t e = row_start[b]; e < row_start[b + 1]; ++e) {
      const std::uint32_t slot = col_start[row_pixel[e]]++;
      col_sample[slot] = static_cast<std::uint32_t>(b);
      col_value[slot] = row_value[e];
    }
  }
  for (std::size_t p = C; p > 0; --p) col_start[p] = col_start[p - 1];
  col_start[0] = 0;
}

void sparse_dense_forward(float* out, const SparseBatch& x, const float* weight, const float* bias,
                          std::size_t OC, Range samples, Range units) {
  // Blocks of units outside, samples inside: a block's column panel of the kernel (C x 64
  // floats, 200 KB for MNIST) stays in cache while every sample streams over it.
  for (std::size_t j = units.begin; j < units.end; j += kBlock) {
    const std::size_t width = std::min(kBlock, units.end - j);
    for (std::size_t b = samples.begin; b < samples.end; ++b) {
      const std::uint32_t first = x.row_start[b], last = x.row_start[b + 1];
      sum_of_rows(out + b * OC, bias, x.row_pixel.data() + first, x.row_value.data() + first,
                  last - first, weight, OC, j, width);
    }
  }
}

void sparse_dense_backward_weight(float* dweight, const SparseBatch& x, const float* dout,
                                  std::size_t OC, Range pixels, Range units) {
  // Blocks of units outside: the block's panel of dout (B x 64 floats, 32 KB) stays in L1.
  for (std::size_t j = units.begin; j < units.end; j += kBlock) {
    const std::size_t width = std::min(kBlock, units.end - j);
    for (std::size_t p = pixels.begin; p < pixels.end; ++p) {
      const std::uint32_t first = x.col_start[p], last = x.col_start[p + 1];
      sum_of_rows(dweight + p * OC, nullptr, x.col_sample.data() + first, x.col_value.data() + first,
                  last - first, dout, OC, j, width);
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
  std::size_t nonzero = 0;
  for (std::size_t i = 0; i < n; ++i) nonzero += values[i] != 0;
  return static_cast<double>(nonzero) / static_cast<double>(n);
}

}  // namespace mnisttrain::kernels
