// Backend choice for the dense products; see matmul.h.
#include "kernels/matmul.h"

#include "kernels/blas.h"
#include "kernels/gemm.h"

namespace mnisttrain::kernels {

// Narrower or shallower products would run mostly the tiled kernels' scalar edge code (the
// products against the 10-unit output layer); OpenBLAS is faster there.
constexpr std::size_t kTiledMinColumns = 32;
constexpr std::size_t kTiledMinDepth = 32;

MatmulBackend matmul_backend(std::size_t columns, std::size_t depth) {
  return columns >= kTiledMinColumns && depth >= kTiledMinDepth ? MatmulBackend::Tiled
                                                                : MatmulBackend::Blas;
}

const char* name_of(MatmulBackend backend) {
  return backend == MatmulBackend::Tiled ? "tiled" : "OpenBLAS";
}

void matmul(MatmulBackend backend, bool trans_a, bool trans_b, float* C, std::size_t ldc,
            const float* A, std::size_t lda, const float* B, std::size_t ldb, std::size_t M,
            std::size_t N, std::size_t K, bool accumulate) {
  if (M == 0 || N == 0) return;
  if (backend == MatmulBackend::Blas || (trans_a && trans_b)) {
    blas::sgemm(trans_a, trans_b, C, ldc, A, lda, B, ldb, M, N, K, accumulate);
  } else if (trans_a) {
    gemm_tn(C, ldc, A, lda, B, ldb, M, N, K, accumulate);
  } else if (trans_b) {
    gemm_nt(C, ldc, A, lda, B, ldb, M, N, K, accumulate);
  } else {
    gemm_nn(C, ldc, A, lda, B, ldb, M, N, K, accumulate);
  }
}

}  // namespace mnisttrain::kernels
