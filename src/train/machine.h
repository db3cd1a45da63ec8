// The machine a run trained on, recorded in summary.json so a speed can be read in context.
#pragma once

#include <string>

namespace mnisttrain::train {

// "Intel(R) Xeon(R) Processor, 2 cores": the CPU model from /proc/cpuinfo where there is
// one, and the hardware thread count.
std::string machine_description();

}  // namespace mnisttrain::train
