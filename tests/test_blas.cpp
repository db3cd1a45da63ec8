// The OpenBLAS sgemm wrapper against the naive triple loop, for every transpose combination.
#include "kernels/blas.h"
#include "kernels/gemm.h"

#include <catch2/catch.hpp>

#include <random>
#include <vector>


TEST_CASE("sgemm matches the naive reference for all transpose flags", "[blas]") {
  const int M = 7, N = 5, K = 11;
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> A(M * K), B(K * N), C0(M * N);
  for (auto& v : A) v = dist(rng);
  for (auto& v : B) v = dist(rng);
  for (auto& v : C0) v = dist(rng);

  for (bool ta : {false, true}) {
    for (bool tb : {false, true}) {
      for (bool accumulate : {false, true}) {
        std::vector<float> fast = C0, slow = C0;
        const std::size_t lda = ta ? M : K, ldb = tb ? K : N;
        mnisttrain::blas::sgemm(ta, tb, fast.data(), N, A.data(), lda, B.data(), ldb, M, N, K, accumulate);
        mnisttrain::kernels::gemm_reference(ta, tb, slow.data(), N, A.data(), lda, B.data(), ldb, M, N, K,
                                            accumulate);
        for (int i = 0; i < M * N; ++i) REQUIRE(fast[i] == Approx(slow[i]).margin(1e-5));
      }
    }
  }
}

TEST_CASE("sgemm computes a hand-checked 2x2 product", "[blas]") {
  const float A[] = {1, 2, 3, 4};  // [[1,2],[3,4]]
  const float B[] = {5, 6, 7, 8};  // [[5,6],[7,8]]
  float C[4] = {};
  mnisttrain::blas::sgemm(false, false, C, 2, A, 2, B, 2, 2, 2, 2, false);
  CHECK(C[0] == 19);
  CHECK(C[1] == 22);
  CHECK(C[2] == 43);
  CHECK(C[3] == 50);
  // A^T . B = [[1,3],[2,4]] . B = [[26,30],[38,44]]
  mnisttrain::blas::sgemm(true, false, C, 2, A, 2, B, 2, 2, 2, 2, false);
  CHECK(C[0] == 26);
  CHECK(C[1] == 30);
  CHECK(C[2] == 38);
  CHECK(C[3] == 44);
}
