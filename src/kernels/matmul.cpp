// Backend choice for the dense products; see matmul.h.
#include "kernels/matmul.h"

#include "kernels/blas.h"
#include "kernels/gemm.h"

namespace mnisttrain::kernels {

// Products at least this wide and deep are "of real size": worth an OpenBLAS call.
constexpr std::size_t kBlasMinColumns = 32;
constexpr std::size_t kBlasMinDepth = 32;

MatmulBackend matmul_backend(std::size_t columns, std::size_t depth) {
  static const bool blas_is_generic = blas::generic_core();
  const bool real_size = columns >= kBlasMinColumns && depth >= kBlasMinDepth;
  return real_size && !blas_is_generic ? MatmulBackend::Blas : MatmulBackend::Tiled;
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
