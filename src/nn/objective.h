// The objective on one batch: the forward pass, then the loss. Training, evaluation and the
// gradient check all compute it through here, so they cannot drift apart.
#pragma once

#include "nn/loss.h"
#include "nn/network.h"

#include <cstddef>
#include <cstdint>

namespace mnisttrain::nn {

// True when the loss writes dL/d(logits) directly (a softmax output under crossentropy), so
// backward skips the softmax Jacobian.
bool fused_gradient(const Network& network, Loss loss);

struct BatchLoss {
  const float* outputs = nullptr;  // (B, output_features), valid until the next forward
  LossResult loss;                 // mean over the batch, without the L2 term
};

// input (B, features), onehot (B, classes), labels (B). Training turns dropout on and writes the
// loss gradient into network.output_grad(), ready for backward(input, B, fused_gradient(...)).
BatchLoss forward_loss(Network& network, Loss loss, const Input& input, const float* onehot,
                       const std::int32_t* labels, std::size_t B, bool training);

}  // namespace mnisttrain::nn
