// Register-tiled single-precision matrix products for the dense layers, for machines where
// OpenBLAS runs its generic kernels (0.3.21 does not recognise some recent CPUs and falls back
// to SSE "Prescott" code at a third of the speed). Row-major, explicit leading dimensions, so a
// thread can compute its own block of columns or rows of the result in place.
//
// Every element is one sum over k in increasing order, started at zero and then added to C
// when `accumulate` is set; which block of the result a call computes changes nothing in that
// sum, so results do not depend on how the work is split between threads.
#pragma once

#include <cstddef>

namespace mnisttrain::kernels {

// C (M, N) [+]= A (M, K) . B (K, N)
void gemm_nn(float* C, std::size_t ldc, const float* A, std::size_t lda, const float* B,
             std::size_t ldb, std::size_t M, std::size_t N, std::size_t K, bool accumulate);
// C (M, N) [+]= A^T . B, with A stored (K, M): the weight gradient X^T . dZ
void gemm_tn(float* C, std::size_t ldc, const float* A, std::size_t lda, const float* B,
             std::size_t ldb, std::size_t M, std::size_t N, std::size_t K, bool accumulate);
// C (M, N) [+]= A . B^T, with B stored (N, K): the input gradient dZ . W^T
void gemm_nt(float* C, std::size_t ldc, const float* A, std::size_t lda, const float* B,
             std::size_t ldb, std::size_t M, std::size_t N, std::size_t K, bool accumulate);

// The plain triple loop with the same contract (op(A) and op(B) chosen by the flags), summing
// in double: what the tiled kernels are tested against.
void gemm_reference(bool trans_a, bool trans_b, float* C, std::size_t ldc, const float* A,
                    std::size_t lda, const float* B, std::size_t ldb, std::size_t M, std::size_t N,
                    std::size_t K, bool accumulate);

}  // namespace mnisttrain::kernels
