// Thin wrapper over OpenBLAS's CBLAS interface: row-major single-precision GEMM with
// transpose flags, so callers express X^T . dZ without materialising a transposed copy.
#pragma once

#include <string>

namespace mnisttrain::blas {

enum class Trans { No, Yes };

// C[M,N] = alpha * op(A)[M,K] . op(B)[K,N] + beta * C[M,N], all row-major and contiguous.
// A is stored as (M,K) when trans_a is No and as (K,M) when Yes; likewise B as (K,N) or (N,K).
void sgemm(Trans trans_a, Trans trans_b, int M, int N, int K, float alpha, const float* A,
           const float* B, float beta, float* C);

// Same contract, plain triple loop in double accumulation: the reference the fast path is
// tested against.
void sgemm_naive(Trans trans_a, Trans trans_b, int M, int N, int K, float alpha, const float* A,
                 const float* B, float beta, float* C);

void set_num_threads(int threads);
int num_threads();
// "OpenBLAS 0.3.21 DYNAMIC_ARCH ... Haswell" — recorded in every run's summary.
std::string library_description();

}  // namespace mnisttrain::blas
