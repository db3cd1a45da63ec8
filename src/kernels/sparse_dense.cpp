// Sparse-input dense-layer kernels and their dense references; see sparse_dense.h.
//
// Both kernels keep a block of kBlock output values in registers while they stream over the
// non-zero inputs, so each non-zero costs one pass over kBlock kernel (or gradient) values.
// Every output element is a sum in a fixed order (increasing pixel, or increasing sample),
// whatever the ranges: results do not depend on how the work is split between threads.
#include "kernels/sparse_dense.h"

#include <algorithm>
#include <cmath>

namespace mnisttrain::kernels {

namespace {

constexpr std::size_t kBlock = 64;  // four 512-bit registers of floats

// acc[k] += sum over entries e of value[e] * rows[index[e] * stride + k], for k < width.
template <std::size_t Width>
inline void accumulate_rows(float* __restrict acc, const std::uint32_t* index, const float* value,
                            std::size_t count, const float* __restrict rows, std::size_t stride) {
  float a[Width];
  for (std::size_t k = 0; k < Width; ++k) a[k] = acc[k];
  for (std::size_t e = 0; e < count; ++e) {
    const float v = value[e];
    const float* __restrict row = rows + static_cast<std::size_t>(index[e]) * stride;
    for (std::size_t k = 0; k < Width; ++k) a[k] += v * row[k];
  }
  for (std::size_t k = 0; k < Width; ++k) acc[k] = a[k];
}

// The columns past the last full block; std::fma spells out the fused multiply-add of the
// vector loop, so a column gets the same bits in a block or in the tail.
inline void accumulate_rows_tail(float* acc, std::size_t width, const std::uint32_t* index,
                                 const float* value, std::size_t count, const float* rows,
                                 std::size_t stride) {
  for (std::size_t e = 0; e < count; ++e) {
    const float v = value[e];
    const float* row = rows + static_cast<std::size_t>(index[e]) * stride;
    for (std::size_t k = 0; k < width; ++k) acc[k] = std::fma(v, row[k], acc[k]);
  }
}

// out[k] = init[k] (or 0) + sum over entries of value * rows[index][k], for k in units.
void sum_of_rows(float* out, const float* init, const std::uint32_t* index, const float* value,
                 std::size_t count, const float* rows, std::size_t stride, Range units) {
  for (std::size_t j = units.begin; j < units.end; j += kBlock) {
    const std::size_t width = std::min(kBlock, units.end - j);
    float acc[kBlock];
    for (std::size_t k = 0; k < width; ++k) acc[k] = init ? init[j + k] : 0.0f;
    if (width == kBlock) {
      accumulate_rows<kBlock>(acc, index, value, count, rows + j, stride);
    } else {
      accumulate_rows_tail(acc, width, index, value, count, rows + j, stride);
    }
    std::copy(acc, acc + width, out + j);
  }
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
    for (std::size_t p = 0; p < C; ++p) {
      if (row[p] == 0.0f) continue;
      row_pixel[nnz] = static_cast<std::uint32_t>(p);
      row_value[nnz] = row[p];
      ++col_start[p + 1];
      ++nnz;
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
  for (std::size_t b = samples.begin; b < samples.end; ++b) {
    const std::uint32_t first = x.row_start[b], last = x.row_start[b + 1];
    sum_of_rows(out + b * OC, bias, x.row_pixel.data() + first, x.row_value.data() + first,
                last - first, weight, OC, units);
  }
}

void sparse_dense_backward_weight(float* dweight, const SparseBatch& x, const float* dout,
                                  std::size_t OC, Range pixels, Range units) {
  for (std::size_t p = pixels.begin; p < pixels.end; ++p) {
    const std::uint32_t first = x.col_start[p], last = x.col_start[p + 1];
    sum_of_rows(dweight + p * OC, nullptr, x.col_sample.data() + first, x.col_value.data() + first,
                last - first, dout, OC, units);
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
