// The first dense layer on sparse inputs. 81% of MNIST's pixels are exactly zero, and a zero
// pixel contributes exactly nothing to X . W (nor to X^T . dZ), so both products only need the
// kernel rows of the non-zero pixels. Same math as the dense product; only the order of the
// additions changes (the sum runs over the non-zero pixels in increasing index order).
#pragma once

#include "kernels/partition.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mnisttrain::kernels {

// A batch X (B, C) in two compressed forms, rebuilt per batch into buffers sized once:
// by sample (CSR: which pixels of sample b are non-zero) and by pixel (CSC: which samples have
// pixel p non-zero, what both products walk), with the products' scratch panels.
struct SparseBatch {
  std::size_t rows = 0, cols = 0;
  std::vector<std::uint32_t> row_start;  // (B + 1)
  std::vector<std::uint32_t> row_pixel;  // (nnz) pixel index, increasing within a row
  std::vector<float> row_value;          // (nnz)
  std::vector<std::uint32_t> col_start;  // (C + 1)
  std::vector<std::uint32_t> col_sample; // (nnz) sample index, increasing within a column
  std::vector<float> col_value;          // (nnz)
  // The products' scratch: one (B, kPanelUnits) panel per block of kPanelUnits output units,
  // each written only by the thread whose units it holds. Scratch, not state: hence mutable.
  mutable std::vector<float> panels;

  // For batches of up to max_rows samples, C = cols pixels, products with up to max_units units.
  void reserve(std::size_t max_rows, std::size_t cols, std::size_t max_units);
  // x is (B, C) row-major; B <= the reserved rows.
  void build(const float* x, std::size_t B, std::size_t C);
  std::size_t nonzeros() const { return row_start.empty() ? 0 : row_start[rows]; }
};

// Output units per panel: a block's panel of 128 samples (64 KB) stays close to the core.
constexpr std::size_t kPanelUnits = 128;

// out[b, j] = bias[j] + sum over non-zero x[b, p] of x[b, p] * weight[p, j], for the rows in
// `samples` and the columns in `units`. out is (B, OC), weight (C, OC), bias (OC) or null;
// OC <= the reserved max_units. `units` starts at a multiple of kLanes (kernels/vec.h).
void sparse_dense_forward(float* out, const SparseBatch& x, const float* weight, const float* bias,
                          std::size_t OC, Range samples, Range units);

// dweight[p, j] = sum over samples b with x[b, p] != 0 of x[b, p] * dout[b, j], for the rows
// (pixels) in `pixels` and the columns in `units`; rows of pixels that are zero in the whole
// batch become exactly zero. dweight is (C, OC), dout (B, OC); OC and `units` as above.
void sparse_dense_backward_weight(float* dweight, const SparseBatch& x, const float* dout,
                                  std::size_t OC, Range pixels, Range units);

// Plain dense references with the same contracts over a dense x (B, C), summing in the same
// order (over all pixels, zeros included, in double): what the fast kernels are tested against.
void dense_forward_reference(float* out, const float* x, const float* weight, const float* bias,
                             std::size_t B, std::size_t C, std::size_t OC);
void dense_backward_weight_reference(float* dweight, const float* x, const float* dout,
                                     std::size_t B, std::size_t C, std::size_t OC);

// Fraction of non-zero values among n bytes: decides between the sparse and the dense path.
double density(const std::uint8_t* values, std::size_t n);

}  // namespace mnisttrain::kernels
