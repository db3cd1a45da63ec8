// The CPU model and core count; see machine.h.
#include "train/machine.h"

#include <fstream>
#include <thread>

namespace mnisttrain::train {

std::string machine_description() {
  std::string cpu = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  }
  const unsigned cores = std::thread::hardware_concurrency();
  return cpu + ", " + std::to_string(cores) + (cores == 1 ? " core" : " cores");
}

}  // namespace mnisttrain::train
