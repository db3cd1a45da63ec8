// Thin wrapper over OpenBLAS: row-major single-precision GEMM with transpose flags and leading
// dimensions (so a thread can compute a block of a larger result in place, and callers express
// X^T . dZ without a transposed copy), the thread count, and which kernels OpenBLAS runs.
#pragma once

#include <cstddef>
#include <string>

namespace mnisttrain::blas {

// C (M, N) [+]= op(A) (M, K) . op(B) (K, N), row-major. A is stored (M, K), or (K, M) when
// trans_a; B is stored (K, N), or (N, K) when trans_b. The contract of kernels/gemm.h.
void sgemm(bool trans_a, bool trans_b, float* C, std::size_t ldc, const float* A, std::size_t lda,
           const float* B, std::size_t ldb, std::size_t M, std::size_t N, std::size_t K,
           bool accumulate);

// At 1 thread OpenBLAS's idle pool threads are also ended (they would spin against the
// program's workers); they come back when more threads are set.
void set_num_threads(int threads);
int num_threads();
// The kernel family OpenBLAS chose for this CPU at load time ("Haswell", "SkylakeX", ...).
std::string core_name();
// True for OpenBLAS's pre-AVX kernels, which it falls back to on CPUs it does not recognise
// (OpenBLAS 0.3.21 on some recent Intel CPUs runs "Prescott" SSE code at a third of the speed).
bool generic_core();
// "OpenBLAS 0.3.21 DYNAMIC_ARCH ... core=Haswell" — recorded in every run's summary.
std::string library_description();

}  // namespace mnisttrain::blas
