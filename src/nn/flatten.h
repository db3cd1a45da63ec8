// Flatten: (B, d1, d2, ...) -> (B, d1 * d2 * ...). Batches are already stored flat, row-major,
// so the reshape moves no data; as a layer it copies its input through, both ways.
#pragma once

#include <algorithm>
#include <cstddef>

namespace mnisttrain::nn {

// out and inp are (B, features): out = inp.
inline void flatten_forward(float* out, const float* inp, std::size_t B, std::size_t features) {
  std::copy(inp, inp + B * features, out);
}

// dinp = dout, both (B, features); dinp may be null (nothing before this layer needs it).
inline void flatten_backward(float* dinp, const float* dout, std::size_t B, std::size_t features) {
  if (dinp) std::copy(dout, dout + B * features, dinp);
}

}  // namespace mnisttrain::nn
