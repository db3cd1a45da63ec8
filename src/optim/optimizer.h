// Optimizers with Keras 3's defaults and update rules, each one loop over the whole flat
// parameter buffer. Their moments live in one state buffer laid out like the parameters
// (n floats per moment), which a checkpoint saves as it is.
#pragma once

#include "kernels/partition.h"
#include "kernels/update.h"
#include "nn/spec.h"
#include "optim/settings.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace mnisttrain::optim {

// Moment buffers the update rule keeps per parameter (sgd 0 or 1, rmsprop 1 or 2, adam 2).
std::size_t moments_per_parameter(const OptimizerSettings& settings);

class Optimizer {
 public:
  Optimizer(const OptimizerSettings& settings, std::size_t param_count);

  // One update of every parameter with this step's learning rate. Gradients are clipped in
  // place first when clipnorm is set (per tensor of the parameter buffer, as Keras does).
  void step(float* params, float* grads, float learning_rate,
            const std::vector<nn::ParamTensor>& tensors);
  // The same step in two parts, so the updates can run as shares on several threads: once per
  // step, clip (clipnorm) and count the step; then update any split of [0, param_count) into
  // ranges, each element depending only on its own weight, gradient and moments.
  void begin_step(float* grads, float learning_rate, const std::vector<nn::ParamTensor>& tensors);
  void update(float* params, const float* grads, kernels::Range range);
  // The same for the n parameters from `first`, with their gradient given on its own.
  void update_slice(float* params, const float* gradient, std::size_t first, std::size_t n);
  // For plain RMSprop (no momentum), the step begun as a rule on vectors of the parameters from
  // `first` (kernels/update.h), for a kernel that updates weights as it makes their gradient:
  // the same bits as update_slice. None for any other optimizer.
  std::optional<kernels::RmspropVectors> rmsprop_vectors(float* params, std::size_t first);
  // Whether a parameter can be updated as soon as its own gradient is known: not with
  // clipnorm, which needs the norm of the whole tensor first.
  bool updates_elementwise() const { return settings_.clipnorm <= 0.0; }
  std::size_t param_count() const { return n_; }

  std::vector<float>& state() { return state_; }
  const std::vector<float>& state() const { return state_; }
  // Steps taken: the one step counter of a run (schedules, Adam's bias correction,
  // checkpoints and the per-batch log all read it here).
  std::int64_t iterations() const { return iterations_; }
  void set_iterations(std::int64_t iterations) { iterations_ = iterations; }

 private:
  OptimizerSettings settings_;
  std::size_t n_;
  std::vector<float> state_;
  std::int64_t iterations_ = 0;
  float lr_ = 0.0f;          // of the step begun
  float adam_alpha_ = 0.0f;  // lr with Adam's bias correction, of the step begun
};

// The learning rate for optimizer step `step` (0-based) of `total_steps`, from the schedule.
double learning_rate_at(const OptimizerSettings& settings, std::int64_t step,
                        std::int64_t total_steps);

}  // namespace mnisttrain::optim
