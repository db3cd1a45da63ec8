// How a thread finds its share of a dimension: contiguous, and cut at multiples of `align`
// elements so two threads' shares of a row-major matrix never share a 64-byte cache line.
#pragma once

#include <algorithm>
#include <cstddef>

namespace mnisttrain::kernels {

struct Range {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const { return end - begin; }
};

// Floats per cache line: shares of a float dimension start at multiples of this.
constexpr std::size_t kLineFloats = 16;

// Share ith of nth of [0, n): units of `align` elements dealt out as evenly as possible.
inline Range split_range(std::size_t n, int ith, int nth, std::size_t align = 1) {
  const std::size_t units = (n + align - 1) / align;
  const auto i = static_cast<std::size_t>(ith), t = static_cast<std::size_t>(nth);
  const std::size_t first = units * i / t, last = units * (i + 1) / t;
  return {std::min(n, first * align), std::min(n, last * align)};
}

}  // namespace mnisttrain::kernels
