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

// The weight gradient goes down the samples with the sums of up to kGradientUnits units for
// kGradientVectors vectors of inputs in registers (2 x 10 of AVX-512's 32: MNIST's 10 classes in
// one group), so each sample's row of x is read as whole vectors. Each sum still runs over the
// samples in increasing order.
constexpr std::size_t kGradientUnits = 10;
constexpr std::size_t kGradientVectors = kLanes == 16 ? 2 : 1;  // AVX2's 16 registers hold 10 x 1
constexpr std::size_t kGradientInputs = kGradientVectors * kLanes;

// dw[k + c, j0 + j] for c < count (<= kGradientInputs) and j < units (<= kGradientUnits). Whole:
// the group is full (count and units at their limits), known at compile time.
template <bool Whole>
void weight_gradient_group(float* dw, const float* x, const float* dout, std::size_t B, std::size_t K,
                           std::size_t N, std::size_t k, std::size_t count, std::size_t j0, std::size_t units) {
  if (Whole) {
    count = kGradientInputs;
    units = kGradientUnits;
  }
  std::size_t lanes[kGradientVectors];  // inputs in each vector: kLanes but at the end
  for (std::size_t v = 0; v < kGradientVectors; ++v) lanes[v] = std::min(kLanes, count - std::min(count, v * kLanes));
  Vec acc[kGradientUnits][kGradientVectors] = {};
  for (std::size_t b = 0; b < B; ++b) {
    Vec inputs[kGradientVectors];
    for (std::size_t v = 0; v < kGradientVectors; ++v) {
      const float* p = x + b * K + k + v * kLanes;
      inputs[v] = lanes[v] == kLanes ? load(p) : load_partial(p, lanes[v]);
    }
    for (std::size_t j = 0; j < kGradientUnits; ++j) {
      const float d = j < units ? dout[b * N + j0 + j] : 0.0f;
      for (std::size_t v = 0; v < kGradientVectors; ++v) acc[j][v] += d * inputs[v];
    }
  }
  float sums[kGradientUnits][kGradientInputs];
  for (std::size_t j = 0; j < kGradientUnits; ++j) {
    for (std::size_t v = 0; v < kGradientVectors; ++v) store(sums[j] + v * kLanes, acc[j][v]);
  }
  for (std::size_t c = 0; c < count; ++c) {
    for (std::size_t j = 0; j < units; ++j) dw[(k + c) * N + j0 + j] = sums[j][c];
  }
}

// The input gradient goes over stretches of kStretch inputs.
constexpr std::size_t kStretchVectors = 16;
constexpr std::size_t kStretch = kStretchVectors * kLanes;

// columns[j][c] = w[(k0 + c) * N + j] for c < stretch, and 0 past it, for j < N: a stretch of
// the kernel's rows transposed. AVX-512 gathers a vector of inputs per unit at a time.
void transpose_stretch(float (*columns)[kStretch], const float* w, std::size_t N, std::size_t k0, std::size_t stretch) {
#if defined(__AVX512F__)
  const __m512i lane_rows = _mm512_mullo_epi32(
      _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0), _mm512_set1_epi32(static_cast<int>(N)));
  for (std::size_t c = 0; c < kStretch; c += kLanes) {
    const std::size_t count = c < stretch ? std::min(kLanes, stretch - c) : 0;
    for (std::size_t j = 0; j < N; ++j) {
      // Past a short last stretch nothing is read (nor an address past w's end formed).
      const __m512 gathered = count == 0 ? _mm512_setzero_ps()
                                         : _mm512_mask_i32gather_ps(_mm512_setzero_ps(), first_lanes(count), lane_rows,
                                                                    w + (k0 + c) * N + j, 4);
      _mm512_store_ps(columns[j] + c, gathered);
    }
  }
#else
  for (std::size_t j = 0; j < N; ++j) {
    for (std::size_t c = 0; c < kStretch; ++c) columns[j][c] = c < stretch ? w[(k0 + c) * N + j] : 0.0f;
  }
#endif
}

// out[c] = sum over units j < N of d[j] * columns[j][c], j in increasing order, for a whole
// stretch: with AVX-512's 32 registers the 16 sums stay in registers and go out once.
inline void stretch_sums(float* out, const float (*columns)[kStretch], const float* d, std::size_t N) {
  Vec acc[kStretchVectors] = {};
  for (std::size_t j = 0; j < N; ++j) {
    const float dj = d[j];
    for (std::size_t v = 0; v < kStretchVectors; ++v) acc[v] += dj * load(columns[j] + v * kLanes);
  }
  for (std::size_t v = 0; v < kStretchVectors; ++v) store(out + v * kLanes, acc[v]);
}

}  // namespace

void narrow_forward(float* out, const float* x, const float* w, const float* bias, std::size_t K,
                    std::size_t N, Range rows) {
  if (N <= kLanes) forward_rows<1>(out, x, w, bias, K, N, rows);
  else forward_rows<2>(out, x, w, bias, K, N, rows);
}

void narrow_weight_gradient(float* dw, const float* x, const float* dout, std::size_t B,
                            std::size_t K, std::size_t N, Range inputs) {
  for (std::size_t k = inputs.begin; k < inputs.end; k += kGradientInputs) {
    const std::size_t count = std::min(kGradientInputs, inputs.end - k);
    for (std::size_t j0 = 0; j0 < N; j0 += kGradientUnits) {
      const std::size_t units = std::min(kGradientUnits, N - j0);
      if (count == kGradientInputs && units == kGradientUnits) {
        weight_gradient_group<true>(dw, x, dout, B, K, N, k, count, j0, units);
      } else {
        weight_gradient_group<false>(dw, x, dout, B, K, N, k, count, j0, units);
      }
    }
  }
}

void narrow_input_gradient(float* dx, const float* dout, const float* w, std::size_t K,
                           std::size_t N, Range rows) {
  // The kernel rows of a stretch of inputs transposed (one vector of kLanes inputs per unit),
  // then each sample's dx over the stretch as sums of N of them: the stores run along rows.
  alignas(64) float columns[kNarrowMaxUnits][kStretch];
  for (std::size_t k0 = 0; k0 < K; k0 += kStretch) {
    const std::size_t stretch = std::min(kStretch, K - k0);
    transpose_stretch(columns, w, N, k0, stretch);
    if (stretch == kStretch) {
      for (std::size_t b = rows.begin; b < rows.end; ++b) stretch_sums(dx + b * K + k0, columns, dout + b * N, N);
      continue;
    }
    for (std::size_t b = rows.begin; b < rows.end; ++b) {  // the last, shorter stretch: through a whole row
      alignas(64) float sums[kStretch];
      stretch_sums(sums, columns, dout + b * N, N);
      std::copy(sums, sums + stretch, dx + b * K + k0);
    }
  }
}

}  // namespace mnisttrain::kernels
