// OpenBLAS wrapper; see blas.h.
#include "kernels/blas.h"

#include <cblas.h>
#include <dlfcn.h>

#include <algorithm>
#include <array>

namespace mnisttrain::blas {

namespace {

// OpenBLAS starts its thread pool when the library loads, and each idle pool thread spins,
// yielding, for about 2^28 cycles (0.1 s) before it sleeps: on two cores it took one from the
// program's own workers for the first tenth of a second of every command (an evaluation of the
// 10,000 test images ran at 120,000-137,000 instead of about 300,000 images/s, with some 500
// context switches instead of 30). At one thread OpenBLAS needs no pool. Its pthread build
// exports blas_thread_shutdown_, which it calls itself before a fork: that ends the threads,
// and OpenBLAS starts them again when a call wants more than one. Looked up at run time, as
// other builds of the library may not have it.
void stop_idle_pool() {
  using Shutdown = int (*)();
  static const auto shutdown = reinterpret_cast<Shutdown>(dlsym(RTLD_DEFAULT, "blas_thread_shutdown_"));
  if (shutdown) shutdown();
}

}  // namespace

void sgemm(bool trans_a, bool trans_b, float* C, std::size_t ldc, const float* A, std::size_t lda,
           const float* B, std::size_t ldb, std::size_t M, std::size_t N, std::size_t K,
           bool accumulate) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), 1.0f, A,
              static_cast<int>(lda), B, static_cast<int>(ldb), accumulate ? 1.0f : 0.0f, C,
              static_cast<int>(ldc));
}

void set_num_threads(int threads) {
  openblas_set_num_threads(threads);
  if (threads == 1) stop_idle_pool();
}

int num_threads() { return openblas_get_num_threads(); }

std::string core_name() {
  const char* core = openblas_get_corename();
  return core ? core : "unknown";
}

bool generic_core() {
  // OpenBLAS's x86 targets without AVX, lower-cased as openblas_get_corename() returns them.
  static const std::array<const char*, 10> kPreAvx = {"prescott", "core2", "penryn", "dunnington",
                                                      "nehalem", "atom", "katmai", "coppermine",
                                                      "northwood", "banias"};
  std::string core = core_name();
  std::transform(core.begin(), core.end(), core.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(kPreAvx.begin(), kPreAvx.end(), core) != kPreAvx.end();
}

std::string library_description() {
  return std::string(openblas_get_config()) + " core=" + core_name();
}

}  // namespace mnisttrain::blas
