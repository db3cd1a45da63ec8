// Number formatting shared by the commands and the report.
#pragma once

#include <cstdint>
#include <string>

namespace mnisttrain::text {

std::string with_commas(std::uint64_t value);  // 407050 -> "407,050"
std::string human_bytes(std::uint64_t bytes);  // 1628200 -> "1.55 MiB"

}  // namespace mnisttrain::text
