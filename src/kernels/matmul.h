// The dense layers' matrix products: OpenBLAS for products of real size where it runs kernels
// made for this CPU, the tiled kernels of gemm.h for the rest. Three facts decide the split.
// OpenBLAS 0.3.21 does not recognise some recent CPUs and runs its generic pre-AVX kernels
// there, at a fifth of the tiled kernels' speed. For narrow products (a 10-unit output layer) a
// call costs more than the work: the tiled kernels are twice as fast there. And the tiled
// kernels give every element the same bits whichever block of the result a call computes, so
// threads can split them, while OpenBLAS's results can change with the block shape (seen with
// 3 threads): a product sent to OpenBLAS is never split. The choice depends on the product's
// shape and the BLAS core only, never on the thread count.
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
