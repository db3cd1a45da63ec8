// What a training step's matrix products cost, in floating-point operations (a multiply-add
// counts 2; the kernels' products only, the biases and activations left out): as if every
// input were non-zero, and the work the kernels really do.
#pragma once

#include "nn/network.h"

#include <cstddef>

namespace mnisttrain::bench {

// The dense layers' products in one step of B samples, every input counted: the forward, the
// weight gradient, and the input gradient where backward computes it (not for the first layer).
double dense_flops_per_step(const nn::Network& network, std::size_t B);

// The same products as the network computes them: a layer that skips the zero pixels only
// multiplies the batch's `nonzero_inputs` non-zero ones in its forward and weight gradient (the
// other layers stay dense); without one, dense_flops_per_step.
double work_flops_per_step(const nn::Network& network, std::size_t B, double nonzero_inputs);

}  // namespace mnisttrain::bench
