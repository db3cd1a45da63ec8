// Optimizers with Keras 3's defaults and update rules, each one loop over the whole flat
// parameter buffer. Their moments live in one state buffer laid out like the parameters
// (n floats per moment), which a checkpoint saves as it is.
#pragma once

#include "config/config.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mnisttrain::optim {

// A contiguous tensor of the parameter buffer: Keras's clipnorm clips each one separately.
struct Slice {
  std::size_t offset = 0;
  std::size_t size = 0;
};

class Optimizer {
 public:
  Optimizer(const config::OptimizerConfig& config, std::size_t param_count);

  // One update of every parameter with this step's learning rate. Gradients are clipped in
  // place first when clipnorm is set (per tensor, as Keras does).
  void step(float* params, float* grads, float learning_rate, const std::vector<Slice>& tensors);

  std::vector<float>& state() { return state_; }
  const std::vector<float>& state() const { return state_; }
  std::int64_t iterations() const { return iterations_; }
  void set_iterations(std::int64_t iterations) { iterations_ = iterations; }

 private:
  config::OptimizerConfig config_;
  std::size_t n_;
  std::vector<float> state_;
  std::int64_t iterations_ = 0;
};

// The learning rate for optimizer step `step` (0-based) of `total_steps`, from the schedule.
double learning_rate_at(const config::OptimizerConfig& config, std::int64_t step,
                       std::int64_t total_steps);

}  // namespace mnisttrain::optim
