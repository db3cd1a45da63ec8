// Losses over a batch of network outputs, as Keras computes them (mean over the batch), with
// their gradient with respect to the outputs. Softmax followed by (sparse) categorical
// crossentropy has the fused gradient (p - y) / B with respect to the LOGITS, which is both
// cheaper and more accurate than chaining the two Jacobians.
#pragma once

#include "nn/spec.h"

#include <cstddef>
#include <cstdint>

namespace mnisttrain::nn {


// Keras clips probabilities to [eps, 1 - eps] before the log so a confident mistake costs
// -log(1e-7) = 16.1, not infinity.
constexpr float kProbabilityEpsilon = 1e-7f;

struct LossResult {
  double loss = 0.0;         // mean over the batch
  std::size_t correct = 0;   // rows whose argmax equals the label
};

// outputs (B, C); onehot (B, C); labels (B). When `grad` is non-null it receives
// dL/d(outputs), or dL/d(logits) when `fused_softmax` (the last layer is softmax and the loss
// a crossentropy): (p - y) / B.
LossResult compute_loss(Loss loss, const float* outputs, const float* onehot,
                        const std::int32_t* labels, std::size_t B, std::size_t C, float* grad,
                        bool fused_softmax);

// True when the gradient can skip the softmax Jacobian.
inline bool fuses_with_softmax(Loss loss) {
  return loss == Loss::CategoricalCrossentropy || loss == Loss::SparseCategoricalCrossentropy;
}

std::size_t argmax_row(const float* row, std::size_t C);

}  // namespace mnisttrain::nn
