// Register-tiled matrix products; see gemm.h.
//
// gemm_nn and gemm_tn keep a tile of kRows x kCols results in vector registers and, for each k,
// load kCols values of B's row k once and broadcast one value of A per row: 2 loads feed 16
// fused multiply-adds. gemm_nt reads both operands along k (B^T's columns are B's rows), so it
// keeps kLanes partial sums per result and adds them up at the end.
#include "kernels/gemm.h"

#include "kernels/vec.h"

#include <algorithm>
#include <cmath>

namespace mnisttrain::kernels {

namespace {


constexpr std::size_t kRows = 8;           // rows of C per tile
constexpr std::size_t kCols = 2 * kLanes;  // columns of C per tile


// One kRows-or-fewer x kCols tile of C = op(A) . B with B row-major (K, N). a_row and a_k are
// A's strides between rows of op(A) and along k: (lda, 1) for gemm_nn, (1, lda) for gemm_tn.
template <std::size_t Rows>
void tile(float* C, std::size_t ldc, const float* A, std::size_t a_row, std::size_t a_k,
          const float* B, std::size_t ldb, std::size_t K, bool accumulate) {
  Vec acc[Rows][2] = {};
  for (std::size_t k = 0; k < K; ++k) {
    const Vec b0 = load(B + k * ldb), b1 = load(B + k * ldb + kLanes);
    for (std::size_t r = 0; r < Rows; ++r) {
      const float a = A[r * a_row + k * a_k];
      acc[r][0] += a * b0;
      acc[r][1] += a * b1;
    }
  }
  for (std::size_t r = 0; r < Rows; ++r) {
    float* c = C + r * ldc;
    if (accumulate) {
      acc[r][0] += load(c);
      acc[r][1] += load(c + kLanes);
    }
    store(c, acc[r][0]);
    store(c + kLanes, acc[r][1]);
  }
}

// The columns past the last full tile, a vector (or part of one) at a time, Rows rows at once
// (independent sums keep the multiply-add units busy), with the tile's arithmetic: each value
// is the same sum in the same order as inside a tile.
template <std::size_t Rows>
void tail_tile(float* C, std::size_t ldc, const float* A, std::size_t a_row, std::size_t a_k,
               const float* B, std::size_t ldb, std::size_t width, std::size_t K, bool accumulate) {
  Vec acc[Rows] = {};
  for (std::size_t k = 0; k < K; ++k) {
    const Vec b = width == kLanes ? load(B + k * ldb) : load_partial(B + k * ldb, width);
    for (std::size_t r = 0; r < Rows; ++r) acc[r] += A[r * a_row + k * a_k] * b;
  }
  for (std::size_t r = 0; r < Rows; ++r) {
    float* c = C + r * ldc;
    if (accumulate) acc[r] += load_partial(c, width);
    store_partial(c, acc[r], width);
  }
}

void columns_tail(float* C, std::size_t ldc, const float* A, std::size_t a_row, std::size_t a_k,
                  const float* B, std::size_t ldb, std::size_t M, std::size_t first, std::size_t N,
                  std::size_t K, bool accumulate) {
  for (std::size_t j = first; j < N; j += kLanes) {
    const std::size_t width = std::min(kLanes, N - j);
    std::size_t i = 0;
    for (; i + kRows <= M; i += kRows) {
      tail_tile<kRows>(C + i * ldc + j, ldc, A + i * a_row, a_row, a_k, B + j, ldb, width, K, accumulate);
    }
    for (; i < M; ++i) tail_tile<1>(C + i * ldc + j, ldc, A + i * a_row, a_row, a_k, B + j, ldb, width, K, accumulate);
  }
}

void gemm_b_rows(float* C, std::size_t ldc, const float* A, std::size_t a_row, std::size_t a_k,
                 const float* B, std::size_t ldb, std::size_t M, std::size_t N, std::size_t K,
                 bool accumulate) {
  const std::size_t full_cols = N / kCols * kCols;
  // Column tiles outside, rows inside: a K x kCols panel of B is reused by every row tile.
  for (std::size_t j = 0; j < full_cols; j += kCols) {
    std::size_t i = 0;
    for (; i + kRows <= M; i += kRows) {
      tile<kRows>(C + i * ldc + j, ldc, A + i * a_row, a_row, a_k, B + j, ldb, K, accumulate);
    }
    for (; i < M; ++i) tile<1>(C + i * ldc + j, ldc, A + i * a_row, a_row, a_k, B + j, ldb, K, accumulate);
  }
  if (full_cols < N) columns_tail(C, ldc, A, a_row, a_k, B, ldb, M, full_cols, N, K, accumulate);
}

constexpr std::size_t kDotRows = 4, kDotCols = 4;

inline float horizontal_sum(Vec v) {
  float s = 0.0f;
  for (std::size_t l = 0; l < kLanes; ++l) s += v[l];
  return s;
}

// A kDotRows x kDotCols (or smaller) tile of C = A . B^T: dot products of A's rows with B's rows.
template <std::size_t Rows, std::size_t Cols>
void dot_tile(float* C, std::size_t ldc, const float* A, std::size_t lda, const float* B,
              std::size_t ldb, std::size_t K, bool accumulate) {
  Vec acc[Rows][Cols] = {};
  const std::size_t full_k = K / kLanes * kLanes;
  for (std::size_t k = 0; k < full_k; k += kLanes) {
    Vec b[Cols];
    for (std::size_t c = 0; c < Cols; ++c) b[c] = load(B + c * ldb + k);
    for (std::size_t r = 0; r < Rows; ++r) {
      const Vec a = load(A + r * lda + k);
      for (std::size_t c = 0; c < Cols; ++c) acc[r][c] += a * b[c];
    }
  }
  for (std::size_t r = 0; r < Rows; ++r) {
    for (std::size_t c = 0; c < Cols; ++c) {
      float sum = horizontal_sum(acc[r][c]);
      // std::fma: every value of C takes this same path, whatever the tile shape (a scalar
      // a * b + c is fused in some instantiations and not in others).
      for (std::size_t k = full_k; k < K; ++k) sum = std::fma(A[r * lda + k], B[c * ldb + k], sum);
      float& out = C[r * ldc + c];
      out = accumulate ? out + sum : sum;
    }
  }
}

template <std::size_t Rows>
void dot_row_tiles(float* C, std::size_t ldc, const float* A, std::size_t lda, const float* B,
                   std::size_t ldb, std::size_t N, std::size_t K, bool accumulate) {
  std::size_t j = 0;
  for (; j + kDotCols <= N; j += kDotCols) {
    dot_tile<Rows, kDotCols>(C + j, ldc, A, lda, B + j * ldb, ldb, K, accumulate);
  }
  for (; j < N; ++j) dot_tile<Rows, 1>(C + j, ldc, A, lda, B + j * ldb, ldb, K, accumulate);
}

}  // namespace

void gemm_nn(float* C, std::size_t ldc, const float* A, std::size_t lda, const float* B,
             std::size_t ldb, std::size_t M, std::size_t N, std::size_t K, bool accumulate) {
  gemm_b_rows(C, ldc, A, lda, 1, B, ldb, M, N, K, accumulate);
}

void gemm_tn(float* C, std::size_t ldc, const float* A, std::size_t lda, const float* B,
             std::size_t ldb, std::size_t M, std::size_t N, std::size_t K, bool accumulate) {
  gemm_b_rows(C, ldc, A, 1, lda, B, ldb, M, N, K, accumulate);
}

void gemm_nt(float* C, std::size_t ldc, const float* A, std::size_t lda, const float* B,
             std::size_t ldb, std::size_t M, std::size_t N, std::size_t K, bool accumulate) {
  if (K < kLanes) {
    // Sums shorter than a vector (the input gradient of a 10-unit layer): dot products would
    // be all edge. Transposed a block of columns at a time, B^T is a row-major operand for the
    // tiles; each value is the same sum from zero in increasing k, hence the same bits.
    constexpr std::size_t kBlockCols = 16 * kCols;
    float transposed[kLanes * kBlockCols];  // (K, columns)
    for (std::size_t j = 0; j < N; j += kBlockCols) {
      const std::size_t columns = std::min(kBlockCols, N - j);
      for (std::size_t k = 0; k < K; ++k) {
        for (std::size_t c = 0; c < columns; ++c) transposed[k * columns + c] = B[(j + c) * ldb + k];
      }
      gemm_b_rows(C + j, ldc, A, lda, 1, transposed, columns, M, columns, K, accumulate);
    }
    return;
  }
  std::size_t i = 0;
  for (; i + kDotRows <= M; i += kDotRows) {
    dot_row_tiles<kDotRows>(C + i * ldc, ldc, A + i * lda, lda, B, ldb, N, K, accumulate);
  }
  for (; i < M; ++i) dot_row_tiles<1>(C + i * ldc, ldc, A + i * lda, lda, B, ldb, N, K, accumulate);
}

void gemm_reference(bool trans_a, bool trans_b, float* C, std::size_t ldc, const float* A,
                    std::size_t lda, const float* B, std::size_t ldb, std::size_t M, std::size_t N,
                    std::size_t K, bool accumulate) {
  for (std::size_t i = 0; i < M; ++i) {
    for (std::size_t j = 0; j < N; ++j) {
      double sum = 0.0;
      for (std::size_t k = 0; k < K; ++k) {
        const float a = trans_a ? A[k * lda + i] : A[i * lda + k];
        const float b = trans_b ? B[j * ldb + k] : B[k * ldb + j];
        sum += static_cast<double>(a) * b;
      }
      float& out = C[i * ldc + j];
      out = accumulate ? out + static_cast<float>(sum) : static_cast<float>(sum);
    }
  }
}

}  // namespace mnisttrain::kernels
