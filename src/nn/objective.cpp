// Forward pass plus loss; see objective.h.
#include "nn/objective.h"

namespace mnisttrain::nn {

bool fused_gradient(const Network& network, Loss loss) {
  return fuses_with_softmax(loss) && network.ends_in_softmax();
}

BatchLoss forward_loss(Network& network, Loss loss, const Input& input, const float* onehot,
                       const std::int32_t* labels, std::size_t B, bool training) {
  BatchLoss result;
  result.outputs = network.forward(input, B, training);
  float* grad = training ? network.output_grad() : nullptr;
  result.loss = compute_loss(loss, result.outputs, onehot, labels, B, network.output_features(), grad,
                             training && fused_gradient(network, loss));
  return result;
}

}  // namespace mnisttrain::nn
