// One optimizer step on one mini-batch: forward, loss (plus the L2 term), backward, update.
// The body of the training loop, shared by the trainer and `mnisttrain bench` so the benchmark
// measures exactly what training runs.
#pragma once

#include "config/config.h"
#include "nn/network.h"
#include "optim/optimizer.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mnisttrain::train {

struct StepResult {
  double loss = 0.0;  // mean over the batch, plus the L2 penalty
  std::size_t correct = 0;
};

// Where the steps' time went, summed over steps (bench's breakdown): forward and loss, backward,
// optimizer update.
struct StepTimings {
  double forward_and_loss = 0.0;
  double backward = 0.0;
  double optimizer = 0.0;
};

class Stepper {
 public:
  Stepper(nn::Network& network, const config::TrainingConfig& training);

  optim::Optimizer& optimizer() { return optimizer_; }
  // When set, step() adds its phases' seconds to timings; null (the default) turns it off.
  void set_timings(StepTimings* timings) { timings_ = timings; }

  // input (B, features), onehot (B, classes), labels (B). When the loss is not finite the
  // parameters are left untouched and the caller decides what to report.
  StepResult step(const nn::Input& input, const float* onehot, const std::int32_t* labels, std::size_t B,
                  float learning_rate);

 private:
  nn::Network& network_;
  nn::Loss loss_;
  optim::Optimizer optimizer_;
  bool fused_;   // softmax + crossentropy: the loss writes dL/dlogits = (p - y) / B directly
  bool has_l2_;
  StepTimings* timings_ = nullptr;
};

}  // namespace mnisttrain::train
