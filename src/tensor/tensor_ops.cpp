// Tensor arithmetic: broadcasting element-wise ops, dot/matmul through BLAS, reductions.
#include "tensor/tensor.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "error.h"
#include "tensor/blas.h"

namespace mnisttrain {

namespace {

// Strides of `shape` seen from a broadcast result of rank `rank`: missing leading axes and
// extent-1 axes step 0, so they repeat.
Shape broadcast_strides(const Shape& shape, size_t rank) {
  Shape strides(rank, 0);
  const size_t lead = rank - shape.size();
  long stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    if (shape[i] != 1) strides[lead + i] = stride;
    stride *= shape[i];
  }
  return strides;
}

template <class Op>
Tensor elementwise(const Tensor& a, const Tensor& b, Op op) {
  Tensor out(broadcast_shapes(a.shape(), b.shape()));
  if (a.shape() == b.shape()) {
    for (long i = 0; i < out.size(); ++i) out[i] = op(a[i], b[i]);
    return out;
  }
  if (out.size() == 0) return out;

  const Shape& shape = out.shape();
  const size_t rank = shape.size();
  const Shape sa = broadcast_strides(a.shape(), rank);
  const Shape sb = broadcast_strides(b.shape(), rank);
  // Differing shapes imply rank >= 1. The innermost axis runs as a plain loop; an odometer
  // advances the outer ones.
  const long inner = shape[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1];
  Shape index(rank, 0);
  long oa = 0, ob = 0;
  for (long o = 0; o < out.size(); o += inner) {
    for (long k = 0; k < inner; ++k) out[o + k] = op(a[oa + k * ia], b[ob + k * ib]);
    for (size_t d = rank - 1; d-- > 0;) {
      oa += sa[d];
      ob += sb[d];
      if (++index[d] < shape[d]) break;
      oa -= sa[d] * shape[d];
      ob -= sb[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}

// C(M,N) = A(M,K) . B(K,N) into a zeroed C. Empty extents skip BLAS, which rejects the
// zero leading dimensions they imply.
void gemm(const float* A, const float* B, long M, long N, long K, float* C) {
  if (M == 0 || N == 0 || K == 0) return;
  blas::sgemm(blas::Trans::No, blas::Trans::No, static_cast<int>(M), static_cast<int>(N),
              static_cast<int>(K), 1.0f, A, B, 0.0f, C);
}

// A reduction over one axis views the tensor as (outer, n, inner).
struct AxisView {
  long outer = 1, n = 1, inner = 1;
  Shape out_shape;
};

AxisView view_along(const Tensor& t, int axis, bool keepdims) {
  const size_t ax = static_cast<size_t>(normalize_axis(axis, t.ndim()));
  AxisView v;
  for (size_t i = 0; i < t.shape().size(); ++i) {
    const long d = t.shape()[i];
    if (i < ax) v.outer *= d;
    if (i > ax) v.inner *= d;
    if (i == ax) {
      v.n = d;
      if (keepdims) v.out_shape.push_back(1);
    } else {
      v.out_shape.push_back(d);
    }
  }
  return v;
}

// Double accumulation keeps 60000-row sums close to numpy's pairwise float32 result.
Tensor sum_along(const Tensor& t, int axis, bool keepdims, bool average) {
  const AxisView v = view_along(t, axis, keepdims);
  Tensor out(v.out_shape);
  std::vector<double> acc(static_cast<size_t>(v.inner));
  for (long o = 0; o < v.outer; ++o) {
    std::fill(acc.begin(), acc.end(), 0.0);
    const float* src = t.data() + o * v.n * v.inner;
    for (long k = 0; k < v.n; ++k) {
      for (long i = 0; i < v.inner; ++i) acc[static_cast<size_t>(i)] += src[k * v.inner + i];
    }
    for (long i = 0; i < v.inner; ++i) {
      const double s = acc[static_cast<size_t>(i)];
      out[o * v.inner + i] = static_cast<float>(average ? s / static_cast<double>(v.n) : s);
    }
  }
  return out;
}

bool beats(float candidate, float best) {
  return candidate > best || (std::isnan(candidate) && !std::isnan(best));
}

Tensor max_along(const Tensor& t, int axis, bool keepdims, bool want_index) {
  const AxisView v = view_along(t, axis, keepdims);
  Tensor out(v.out_shape);
  if (out.size() == 0) return out;
  if (v.n == 0) {
    throw Error(want_index
                    ? "attempt to get argmax of an empty sequence"
                    : "zero-size array to reduction operation maximum which has no identity");
  }
  std::vector<float> best(static_cast<size_t>(v.inner));
  std::vector<long> where(static_cast<size_t>(v.inner));
  for (long o = 0; o < v.outer; ++o) {
    const float* src = t.data() + o * v.n * v.inner;
    std::copy(src, src + v.inner, best.begin());
    std::fill(where.begin(), where.end(), 0L);
    // Rows in order, so ties keep the first index as numpy does.
    for (long k = 1; k < v.n; ++k) {
      for (long i = 0; i < v.inner; ++i) {
        const size_t u = static_cast<size_t>(i);
        if (beats(src[k * v.inner + i], best[u])) {
          best[u] = src[k * v.inner + i];
          where[u] = k;
        }
      }
    }
    for (long i = 0; i < v.inner; ++i) {
      const size_t u = static_cast<size_t>(i);
      out[o * v.inner + i] = want_index ? static_cast<float>(where[u]) : best[u];
    }
  }
  return out;
}

}  // namespace

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align from the trailing axis; a missing axis acts as extent 1.
    const long da = i < a.size() ? a[a.size() - 1 - i] : 1;
    const long db = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (da != db && da != 1 && db != 1) {
      throw Error("operands could not be broadcast together with shapes " + shape_to_string(a) +
                  " " + shape_to_string(b));
    }
    out[rank - 1 - i] = da == 1 ? db : da;
  }
  return out;
}

Tensor operator+(const Tensor& a, const Tensor& b) { return elementwise(a, b, std::plus<float>()); }
Tensor operator-(const Tensor& a, const Tensor& b) {
  return elementwise(a, b, std::minus<float>());
}
Tensor operator*(const Tensor& a, const Tensor& b) {
  return elementwise(a, b, std::multiplies<float>());
}
Tensor operator/(const Tensor& a, const Tensor& b) {
  return elementwise(a, b, std::divides<float>());
}
Tensor operator+(const Tensor& a, float b) { return a + Tensor::scalar(b); }
Tensor operator-(const Tensor& a, float b) { return a - Tensor::scalar(b); }
Tensor operator*(const Tensor& a, float b) { return a * Tensor::scalar(b); }
Tensor operator/(const Tensor& a, float b) { return a / Tensor::scalar(b); }
Tensor operator+(float a, const Tensor& b) { return Tensor::scalar(a) + b; }
Tensor operator-(float a, const Tensor& b) { return Tensor::scalar(a) - b; }
Tensor operator*(float a, const Tensor& b) { return Tensor::scalar(a) * b; }
Tensor operator/(float a, const Tensor& b) { return Tensor::scalar(a) / b; }

Tensor dot(const Tensor& a, const Tensor& b) {
  if (a.ndim() == 0 || b.ndim() == 0) return a * b;
  if (a.ndim() > 2 || b.ndim() > 2) {
    throw Error("dot supports tensors of rank at most 2, got shapes " + a.to_string() + " and " +
                b.to_string() + "; use matmul for stacks");
  }
  // numpy contracts a's last axis with b's first (for ranks up to 2).
  const long K = a.shape(-1);
  if (b.shape(0) != K) {
    throw Error("shapes " + a.to_string() + " and " + b.to_string() +
                " not aligned: " + std::to_string(K) + " (dim " + std::to_string(a.ndim() - 1) +
                ") != " + std::to_string(b.shape(0)) + " (dim 0)");
  }
  const long M = a.ndim() == 2 ? a.shape(0) : 1;
  const long N = b.ndim() == 2 ? b.shape(1) : 1;
  Shape out_shape;
  if (a.ndim() == 2) out_shape.push_back(M);
  if (b.ndim() == 2) out_shape.push_back(N);
  Tensor out(out_shape);
  gemm(a.data(), b.data(), M, N, K, out.data());
  return out;
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  if (a.ndim() == 0 || b.ndim() == 0 || b.ndim() > 2) {
    throw Error(
        "matmul supports a vector, matrix or stack of matrices times a matrix or vector, "
        "got shapes " +
        a.to_string() + " and " + b.to_string());
  }
  const long K = a.shape(-1);
  if (b.shape(0) != K) {
    throw Error(
        "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
        "signature (n?,k),(k,m?)->(n?,m?) (size " +
        std::to_string(b.shape(0)) + " is different from " + std::to_string(K) + ")");
  }
  // Row-major storage lets a stack (..., M, K) act as one (prod(...) * M, K) matrix.
  Shape out_shape(a.shape().begin(), a.shape().end() - 1);
  long rows = 1;
  for (long d : out_shape) rows *= d;
  const long N = b.ndim() == 2 ? b.shape(1) : 1;
  if (b.ndim() == 2) out_shape.push_back(N);
  Tensor out(out_shape);
  gemm(a.data(), b.data(), rows, N, K, out.data());
  return out;
}

Tensor sum(const Tensor& t, int axis, bool keepdims) { return sum_along(t, axis, keepdims, false); }
Tensor mean(const Tensor& t, int axis, bool keepdims) { return sum_along(t, axis, keepdims, true); }
Tensor max(const Tensor& t, int axis, bool keepdims) { return max_along(t, axis, keepdims, false); }
Tensor argmax(const Tensor& t, int axis, bool keepdims) {
  return max_along(t, axis, keepdims, true);
}

float sum(const Tensor& t) {
  double acc = 0.0;
  for (float v : t.values()) acc += v;
  return static_cast<float>(acc);
}

float mean(const Tensor& t) {
  double acc = 0.0;
  for (float v : t.values()) acc += v;
  return static_cast<float>(acc / static_cast<double>(t.size()));
}

float max(const Tensor& t) {
  if (t.size() == 0)
    throw Error("zero-size array to reduction operation maximum which has no identity");
  return t[argmax(t)];
}

long argmax(const Tensor& t) {
  if (t.size() == 0) throw Error("attempt to get argmax of an empty sequence");
  long best = 0;
  for (long i = 1; i < t.size(); ++i) {
    if (beats(t[i], t[best])) best = i;
  }
  return best;
}

}  // namespace mnisttrain
