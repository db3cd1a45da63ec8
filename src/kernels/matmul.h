// The dense layers' matrix products, through OpenBLAS or the tiled kernels of gemm.h. OpenBLAS is
// the library for dense products of real size; the tiled kernels take over where OpenBLAS runs
// its generic pre-AVX code, and only for results wide enough to fill their tiles. The choice is
// made per product shape, never per thread's share, so a run's numbers do not depend on the
// thread count.
#pragma once

#include <cstddef>

namespace mnisttrain::kernels {

enum class MatmulBackend { Blas, Tiled };

// The backend for products whose result has `columns` columns and whose sums run over `depth`
// terms, on this machine.
MatmulBackend matmul_backend(std::size_t columns, std::size_t depth);
const char* name_of(MatmulBackend backend);

// C (M, N) [+]= op(A) . op(B), the contract of blas::sgemm and kernels/gemm.h.
void matmul(MatmulBackend backend, bool trans_a, bool trans_b, float* C, std::size_t ldc,
            const float* A, std::size_t lda, const float* B, std::size_t ldb, std::size_t M,
            std::size_t N, std::size_t K, bool accumulate);

}  // namespace mnisttrain::kernels
