// Row-major SGEMM through OpenBLAS, and a naive reference with the same contract.
#include "kernels/blas.h"

#include <cblas.h>

namespace mnisttrain::blas {

void sgemm(Trans trans_a, Trans trans_b, int M, int N, int K, float alpha, const float* A,
           const float* B, float beta, float* C) {
  const bool ta = trans_a == Trans::Yes;
  const bool tb = trans_b == Trans::Yes;
  // Leading dimensions are the stored row lengths, whatever the logical transpose.
  const int lda = ta ? M : K;
  const int ldb = tb ? K : N;
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M,
              N, K, alpha, A, lda, B, ldb, beta, C, N);
}

void sgemm_naive(Trans trans_a, Trans trans_b, int M, int N, int K, float alpha, const float* A,
                 const float* B, float beta, float* C) {
  const bool ta = trans_a == Trans::Yes;
  const bool tb = trans_b == Trans::Yes;
  for (int i = 0; i < M; ++i) {
    for (int j = 0; j < N; ++j) {
      double acc = 0.0;
      for (int k = 0; k < K; ++k) {
        const float a = ta ? A[k * M + i] : A[i * K + k];
        const float b = tb ? B[j * K + k] : B[k * N + j];
        acc += static_cast<double>(a) * b;
      }
      const float prior = beta == 0.0f ? 0.0f : beta * C[i * N + j];
      C[i * N + j] = static_cast<float>(alpha * acc) + prior;
    }
  }
}

void set_num_threads(int threads) { openblas_set_num_threads(threads); }

int num_threads() { return openblas_get_num_threads(); }

std::string library_description() {
  std::string config = openblas_get_config();
  const char* core = openblas_get_corename();
  return config + (core ? std::string(" core=") + core : std::string());
}

}  // namespace mnisttrain::blas
