// Small helpers shared by the commands: number formatting and option checks.
#pragma once

#include <cstdint>
#include <string>

namespace mnisttrain::cli {

std::string with_commas(std::uint64_t value);  // 407050 -> "407,050"
std::string human_bytes(std::uint64_t bytes);  // 1628200 -> "1.55 MiB"

// Throws unless images [index, index + count) exist among `total` in `path`.
void check_selection(const std::string& path, std::size_t index, std::size_t count, std::size_t total);

}  // namespace mnisttrain::cli
