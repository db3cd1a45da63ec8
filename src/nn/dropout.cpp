// Dropout's forward; see dropout.h.
#include "nn/dropout.h"

#include <algorithm>

namespace mnisttrain::nn {

void dropout_forward(float* out, float* mask, const float* inp, double rate, bool training,
                     Rng& rng, std::size_t N) {
  if (!training || rate <= 0.0) {
    std::fill(mask, mask + N, 1.0f);
    std::copy(inp, inp + N, out);
    return;
  }
  const float keep_scale = static_cast<float>(1.0 / (1.0 - rate));
  const float drop_below = static_cast<float>(rate);
  for (std::size_t k = 0; k < N; ++k) {
    mask[k] = rng.uniform() >= drop_below ? keep_scale : 0.0f;
    out[k] = inp[k] * mask[k];
  }
}

}  // namespace mnisttrain::nn
