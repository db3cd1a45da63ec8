// The vector type the hand-written kernels use: GCC's vector extension, as wide as the target's
// registers (16 floats with AVX-512, else 8), so `a += x * b` compiles to one fused multiply-add
// per register on any x86-64 target. Loads and stores go through memcpy: no alignment assumed.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstring>

#if defined(__AVX512F__) || defined(__AVX__)
#include <immintrin.h>
#endif

namespace mnisttrain::kernels {

#if defined(__AVX512F__)
constexpr std::size_t kLanes = 16;
#else
constexpr std::size_t kLanes = 8;
#endif
typedef float Vec __attribute__((vector_size(kLanes * sizeof(float))));

inline Vec load(const float* p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void store(float* p, Vec v) { std::memcpy(p, &v, sizeof v); }

// The first `count` (<= kLanes) floats at p, zeros after: the edge of a row goes through the same
// vector arithmetic as the rest, so a value gets the same bits in a full vector or at the edge
// (a scalar a * b + c may or may not be fused where the vector one is). AVX-512 has masked
// loads and stores for this; elsewhere the lanes go through a padded copy.
#if defined(__AVX512F__)
inline __mmask16 first_lanes(std::size_t count) { return static_cast<__mmask16>((1u << count) - 1u); }

inline Vec load_partial(const float* p, std::size_t count) {
  return reinterpret_cast<Vec>(_mm512_maskz_loadu_ps(first_lanes(count), p));
}

inline void store_partial(float* p, Vec v, std::size_t count) {
  _mm512_mask_storeu_ps(p, first_lanes(count), reinterpret_cast<__m512>(v));
}
#else
inline Vec load_partial(const float* p, std::size_t count) {
  float padded[kLanes] = {};
  std::memcpy(padded, p, count * sizeof(float));
  return load(padded);
}

inline void store_partial(float* p, Vec v, std::size_t count) {
  float lanes[kLanes];
  store(lanes, v);
  std::memcpy(p, lanes, count * sizeof(float));
}
#endif

// The correctly rounded square root of each lane (what std::sqrt gives).
inline Vec sqrt_lanes(Vec x) {
#if defined(__AVX512F__)
  // The zero-masked form: the plain one starts from an undefined register, which GCC 12 warns of.
  return reinterpret_cast<Vec>(_mm512_maskz_sqrt_ps(0xFFFF, reinterpret_cast<__m512>(x)));
#elif defined(__AVX__)
  return reinterpret_cast<Vec>(_mm256_sqrt_ps(reinterpret_cast<__m256>(x)));
#else
  Vec r;
  for (std::size_t i = 0; i < kLanes; ++i) r[i] = __builtin_sqrtf(x[i]);
  return r;
#endif
}

// a * b + c rounded once, as std::fma: spelled out, so that the compiler neither fuses a
// different pair nor, unoptimized, leaves it unfused (kernels/update.h's RMSprop relies on it).
inline Vec fma_lanes(Vec a, Vec b, Vec c) {
#if defined(__AVX512F__)
  return reinterpret_cast<Vec>(_mm512_fmadd_ps(reinterpret_cast<__m512>(a), reinterpret_cast<__m512>(b),
                                               reinterpret_cast<__m512>(c)));
#elif defined(__FMA__)
  return reinterpret_cast<Vec>(_mm256_fmadd_ps(reinterpret_cast<__m256>(a), reinterpret_cast<__m256>(b),
                                               reinterpret_cast<__m256>(c)));
#else
  Vec r;
  for (std::size_t i = 0; i < kLanes; ++i) r[i] = std::fma(a[i], b[i], c[i]);
  return r;
#endif
}

// Whether any lane is non-zero (a NaN counts as non-zero).
inline bool any_nonzero(Vec x) {
#if defined(__AVX512F__)
  return _mm512_cmp_ps_mask(reinterpret_cast<__m512>(x), _mm512_setzero_ps(), _CMP_NEQ_UQ) != 0;
#else
  bool any = false;
  for (std::size_t i = 0; i < kLanes; ++i) any |= x[i] != 0.0f;
  return any;
#endif
}

}  // namespace mnisttrain::kernels
