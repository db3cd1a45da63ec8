// This machine's ceiling for the kernels: how many floating-point operations one core does per
// second when it does nothing but independent fused multiply-adds on registers.
#pragma once

namespace mnisttrain::bench {

// One core's multiply-add rate, GFLOP/s (a multiply-add counts 2), over `budget_seconds`.
double multiply_add_peak_gflops(double budget_seconds);

}  // namespace mnisttrain::bench
