// What a training step's matrix products cost, in floating-point operations (a multiply-add
// counts 2): as if every input were non-zero, and the work the kernels really do.
#pragma once

#include "nn/network.h"

#include <cstddef>

namespace mnisttrain::bench {

// The dense layers' products in one step of B samples, every input counted: the forward, the
// weight gradient, and the input gradient except for the first layer (nothing needs it).
double dense_flops_per_step(const nn::Network& network, std::size_t B);

// The same products as the network computes them: with a sparse first layer, its forward and
// weight gradient only multiply the batch's `nonzero_inputs` non-zero pixels (the other layers
// stay dense); with a dense first layer, dense_flops_per_step.
double work_flops_per_step(const nn::Network& network, std::size_t B, double nonzero_inputs);

}  // namespace mnisttrain::bench
