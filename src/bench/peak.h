// This machine's ceiling for the kernels: how many floating-point operations its cores do per
// second when they do nothing but independent multiply-adds on registers.
#pragma once

#include "kernels/pool.h"

namespace mnisttrain::bench {

// The multiply-add rate of all of `workers`' threads at once, GFLOP/s (a multiply-add counts
// 2), over `budget_seconds`: measured together, since two vCPUs may share a core's units.
double multiply_add_peak_gflops(kernels::WorkerPool& workers, double budget_seconds);

}  // namespace mnisttrain::bench
