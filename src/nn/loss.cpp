// Crossentropy and mean squared error with their gradients; see loss.h.
#include "nn/loss.h"

#include <algorithm>
#include <cmath>

namespace mnisttrain::nn {

std::size_t argmax_row(const float* row, std::size_t C) {
  return static_cast<std::size_t>(std::max_element(row, row + C) - row);
}

LossResult compute_loss(Loss loss, const float* outputs, const float* onehot,
                        const std::int32_t* labels, std::size_t B, std::size_t C, float* grad,
                        bool fused_softmax) {
  LossResult result;
  double total = 0.0;
  const float inv_b = 1.0f / static_cast<float>(B);
  for (std::size_t r = 0; r < B; ++r) {
    const float* p = outputs + r * C;
    const float* y = onehot + r * C;
    const auto label = static_cast<std::size_t>(labels[r]);
    if (argmax_row(p, C) == label) ++result.correct;
    float* g = grad ? grad + r * C : nullptr;
    if (loss == Loss::MeanSquaredError) {
      const float scale = 2.0f / static_cast<float>(B * C);
      for (std::size_t c = 0; c < C; ++c) {
        const float diff = p[c] - y[c];
        total += static_cast<double>(diff) * diff / static_cast<double>(C);
        if (g) g[c] = scale * diff;
      }
      continue;
    }
    // Crossentropy: one-hot y makes -sum(y log p) the log of the label's probability alone.
    const float clipped = std::clamp(p[label], kProbabilityEpsilon, 1.0f - kProbabilityEpsilon);
    total -= std::log(static_cast<double>(clipped));
    if (!g) continue;
    if (fused_softmax) {
      for (std::size_t c = 0; c < C; ++c) g[c] = (p[c] - y[c]) * inv_b;
    } else {
      for (std::size_t c = 0; c < C; ++c) g[c] = 0.0f;
      // d(-log p)/dp, zero where the clip is active, as the clipped function is flat there.
      const bool clipped_away = p[label] < kProbabilityEpsilon || p[label] > 1.0f - kProbabilityEpsilon;
      g[label] = clipped_away ? 0.0f : -inv_b / p[label];
    }
  }
  result.loss = total / static_cast<double>(B);
  return result;
}

}  // namespace mnisttrain::nn
