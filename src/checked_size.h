// Size arithmetic that cannot wrap: every product of counts (layer widths, parameter and
// activation counts, IDX dimensions, batch buffers) goes through checked_mul, so a hostile size
// becomes an Error naming what was being sized instead of a small wrapped number.
#pragma once

#include "error.h"

#include <cstdint>
#include <string>

namespace mnisttrain {

// a * b, or an Error "<what>: a x b overflows 64 bits".
inline std::uint64_t checked_mul(std::uint64_t a, std::uint64_t b, const std::string& what) {
  std::uint64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) {
    throw Error(what + ": " + std::to_string(a) + " x " + std::to_string(b) + " overflows 64 bits");
  }
  return product;
}

// a + b, or an Error naming what was being summed.
inline std::uint64_t checked_add(std::uint64_t a, std::uint64_t b, const std::string& what) {
  std::uint64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    throw Error(what + ": " + std::to_string(a) + " + " + std::to_string(b) + " overflows 64 bits");
  }
  return sum;
}

}  // namespace mnisttrain
