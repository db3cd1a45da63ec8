// The OpenBLAS sgemm wrapper against the naive triple loop, for every transpose combination,
// and its thread pool ended at one thread.
#include "kernels/blas.h"
#include "kernels/gemm.h"

#include <catch2/catch.hpp>
#include <dlfcn.h>

#include <filesystem>
#include <random>
#include <thread>
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

namespace {

std::size_t thread_count() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& task : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

// A product big enough for OpenBLAS to hand to its pool when given 2 threads; true when it is
// still right.
bool pooled_product_right() {
  const int n = 256;
  std::vector<float> A(n * n, 0.5f), B(n * n, 0.25f), C(n * n, 0.0f);
  mnisttrain::blas::sgemm(false, false, C.data(), n, A.data(), n, B.data(), n, n, n, n, false);
  return C.front() == 0.5f * 0.25f * n && C.back() == 0.5f * 0.25f * n;
}

}  // namespace

TEST_CASE("set_num_threads(1) ends OpenBLAS's idle pool, and more threads bring it back", "[blas]") {
  if (!dlsym(RTLD_DEFAULT, "blas_thread_shutdown_") || std::thread::hardware_concurrency() < 2) {
    WARN("this OpenBLAS has no blas_thread_shutdown_ (or one core): nothing to end");
    return;
  }
  mnisttrain::blas::set_num_threads(2);
  REQUIRE(pooled_product_right());
  const std::size_t with_pool = thread_count();
  mnisttrain::blas::set_num_threads(1);
  CHECK(thread_count() < with_pool);
  CHECK(pooled_product_right());
  mnisttrain::blas::set_num_threads(2);
  CHECK(pooled_product_right());
  CHECK(thread_count() == with_pool);
  mnisttrain::blas::set_num_threads(1);  // as every command leaves it
}
