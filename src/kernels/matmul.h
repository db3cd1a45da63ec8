// The dense layers' matrix products: OpenBLAS for products of real size where it runs kernels
// made for this CPU, the tiled kernels of gemm.h for the rest. Three facts decide the split.
// OpenBLAS 0.3.21 does not recognise some recent CPUs and runs its generic pre-AVX kernels
// there, at a fifth of the tiled kernels' speed. For narrow products (a 10-unit output layer) a
// call costs more than the work: the tiled kernels are twice as fast there. And the tiled
// kernels give every element the same bits whichever block of the result a call computes, so
// threads can split them anyhow, while OpenBLAS's results can change with the block shape (seen
// with 3 threads): a product sent to OpenBLAS is cut into blocks of a fixed size, the same for
// any thread count, and the threads share out whole blocks. The choice depends on the
// product's shape and the BLAS core only, never on the thread count.
#pragma once

#include <algorithm>
#include <cstddef>

#include "kernels/partition.h"

namespace mnisttrain::kernels {

enum class MatmulBackend { Blas, Tiled };

// The backend for products whose result has `columns` columns and whose sums run over `depth`
// terms, on this machine.
MatmulBackend matmul_backend(std::size_t columns, std::size_t depth);
const char* name_of(MatmulBackend backend);

// Columns (or rows) per OpenBLAS call when a product is split: wide enough that a call does
// real work (128 x 128 x K), narrow enough that 512 or 1024 units (4 or 8 blocks) share out
// evenly between 2 threads (3 threads take 1, 1 and 2 of 4 blocks).
constexpr std::size_t kBlasBlock = 128;

// Calls `product(block)` for each block of [0, n) that thread ith of nth computes. The tiled
// kernels take the thread's share as one block, cut at multiples of `align`; OpenBLAS takes
// whole blocks of kBlasBlock (the last one shorter), whose edges do not move with nth.
template <class Product>
void for_each_block(MatmulBackend backend, std::size_t n, int ith, int nth, std::size_t align,
                    Product&& product) {
  if (backend == MatmulBackend::Tiled) {
    const Range share = split_range(n, ith, nth, align);
    if (share.size() > 0) product(share);
    return;
  }
  const Range share = split_range(n, ith, nth, kBlasBlock);
  for (std::size_t begin = share.begin; begin < share.end; begin += kBlasBlock) {
    product(Range{begin, std::min(share.end, begin + kBlasBlock)});
  }
}

// C (M, N) [+]= op(A) . op(B), the contract of blas::sgemm and kernels/gemm.h.
void matmul(MatmulBackend backend, bool trans_a, bool trans_b, float* C, std::size_t ldc,
            const float* A, std::size_t lda, const float* B, std::size_t ldb, std::size_t M,
            std::size_t N, std::size_t K, bool accumulate);

}  // namespace mnisttrain::kernels
