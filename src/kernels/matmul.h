// The dense layers' matrix products: the tiled kernels of gemm.h for products of real size,
// OpenBLAS for the narrow ones (a 10-unit output layer), where it is faster. Two facts decide the
// split. The tiled kernels give every element the same bits whichever block of the result a call
// computes, so threads can split them; OpenBLAS's results can change with the block shape (seen
// with 3 threads), so a product sent to OpenBLAS is never split. And OpenBLAS 0.3.21 does not
// recognise some recent CPUs and runs its generic pre-AVX kernels there, at a third of the tiled
// kernels' speed. The choice depends on the product's shape only, never on the thread count.
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
