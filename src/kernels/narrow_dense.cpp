// Narrow-layer products; see narrow_dense.h.
#include "kernels/narrow_dense.h"

#include <algorithm>

namespace mnisttrain::kernels {

namespace {

// A row of N <= kNarrowMaxUnits floats as `Vectors` vectors, zeros past N.
template <std::size_t Vectors>
struct Row {
  Vec v[Vectors];
};

template <std::size_t Vectors>
inline Row<Vectors> load_units(const float* p, std::size_t N) {
  Row<Vectors> row;
  for (std::size_t i = 0; i < Vectors; ++i) {
    const std::size_t first = i * kLanes;
    row.v[i] = N >= first + kLanes ? load(p + first) : load_partial(p + first, N > first ? N - first : 0);
  }
  return row;
}

template <std::size_t Vectors>
inline void store_units(float* p, const Row<Vectors>& row, std::size_t N) {
  for (std::size_t i = 0; i < Vectors; ++i) {
    const std::size_t first = i * kLanes;
    if (N >= first + kLanes) store(p + first, row.v[i]);
    else if (N > first) store_partial(p + first, row.v[i], N - first);
  }
}

// Samples go through in groups of kGroup: one load of a kernel row feeds kGroup independent
// sums, which also hides the multiply-add latency.
constexpr std::size_t kGroup = 8;

template <std::size_t Vectors>
void forward_rows(float* out, const float* x, const float* w, const float* bias, std::size_t K,
                  std::size_t N, Range rows) {
  const Row<Vectors> start = bias ? load_units<Vectors>(bias, N) : Row<Vectors>{};
  std::size_t b = rows.begin;
  for (; b + kGroup <= rows.end; b += kGroup) {
    Row<Vectors> acc[kGroup];
    std::fill(acc, acc + kGroup, start);
    for (std::size_t k = 0; k < K; ++k) {
      const Row<Vectors> wk = load_units<Vectors>(w + k * N, N);
      for (std::size_t g = 0; g < kGroup; ++g) {
        const float xv = x[(b + g) * K + k];
        for (std::size_t i = 0; i < Vectors; ++i) acc[g].v[i] += xv * wk.v[i];
      }
    }
    for (std::size_t g = 0; g < kGroup; ++g) store_units<Vectors>(out + (b + g) * N, acc[g], N);
  }
  for (; b < rows.end; ++b) {
    Row<Vectors> acc = start;
    for (std::size_t k = 0; k < K; ++k) {
      const Row<Vectors> wk = load_units<Vectors>(w + k * N, N);
      for (std::size_t i = 0; i < Vectors; ++i) acc.v[i] += x[b * K + k] * wk.v[i];
    }
    store_units<Vectors>(out + b * N, acc, N);
  }
}

template <std::size_t Vectors>
void weight_gradient_rows(float* dw, const float* x, const float* dout, std::size_t B, std::size_t K,
                          std::size_t N, Range inputs) {
  std::size_t k = inputs.begin;
  for (; k + kGroup <= inputs.end; k += kGroup) {
    Row<Vectors> acc[kGroup] = {};
    for (std::size_t b = 0; b < B; ++b) {
      const Row<Vectors> d = load_units<Vectors>(dout + b * N, N);
      for (std::size_t g = 0; g < kGroup; ++g) {
        const float xv = x[b * K + k + g];
        for (std::size_t i = 0; i < Vectors; ++i) acc[g].v[i] += xv * d.v[i];
      }
    }
    for (std::size_t g = 0; g < kGroup; ++g) store_units<Vectors>(dw + (k + g) * N, acc[g], N);
  }
  for (; k < inputs.end; ++k) {
    Row<Vectors> acc = {};
    for (std::size_t b = 0; b < B; ++b) {
      const Row<Vectors> d = load_units<Vectors>(dout + b * N, N);
      for (std::size_t i = 0; i < Vectors; ++i) acc.v[i] += x[b * K + k] * d.v[i];
    }
    store_units<Vectors>(dw + k * N, acc, N);
  }
}

inline void store_block(float* p, Vec v, std::size_t width) {
  if (width == kLanes) store(p, v);
  else store_partial(p, v, width);
}

}  // namespace

void narrow_forward(float* out, const float* x, const float* w, const float* bias, std::size_t K,
                    std::size_t N, Range rows) {
  if (N <= kLanes) forward_rows<1>(out, x, w, bias, K, N, rows);
  else forward_rows<2>(out, x, w, bias, K, N, rows);
}

void narrow_weight_gradient(float* dw, const float* x, const float* dout, std::size_t B,
                            std::size_t K, std::size_t N, Range inputs) {
  if (N <= kLanes) weight_gradient_rows<1>(dw, x, dout, B, K, N, inputs);
  else weight_gradient_rows<2>(dw, x, dout, B, K, N, inputs);
}

void narrow_input_gradient(float* dx, const float* dout, const float* w, std::size_t K,
                           std::size_t N, Range rows) {
  // The kernel rows of a stretch of inputs transposed (one vector of kLanes inputs per unit),
  // then each sample's dx over the stretch as sums of N of them: the stores run along rows.
  constexpr std::size_t kStretchVectors = 16;
  constexpr std::size_t kStretch = kStretchVectors * kLanes;
  alignas(64) float columns[kNarrowMaxUnits][kStretch];
  for (std::size_t k0 = 0; k0 < K; k0 += kStretch) {
    const std::size_t stretch = std::min(kStretch, K - k0);
    for (std::size_t j = 0; j < N; ++j) {
      for (std::size_t c = 0; c < kStretch; ++c) columns[j][c] = c < stretch ? w[(k0 + c) * N + j] : 0.0f;
    }
    for (std::size_t b = rows.begin; b < rows.end; ++b) {
      Vec acc[kStretchVectors] = {};
      for (std::size_t j = 0; j < N; ++j) {
        const float d = dout[b * N + j];
        for (std::size_t v = 0; v < kStretchVectors; ++v) acc[v] += d * load(columns[j] + v * kLanes);
      }
      for (std::size_t v = 0; v * kLanes < stretch; ++v) store_block(dx + b * K + k0 + v * kLanes, acc[v], std::min(kLanes, stretch - v * kLanes));
    }
  }
}

}  // namespace mnisttrain::kernels
