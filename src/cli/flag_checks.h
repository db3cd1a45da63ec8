// CLI11 validators for flag values the config checks too, so that a bad value is a usage error
// naming the flag (exit 2), not a complaint about the config file it was meant to override.
#pragma once

#include <CLI/CLI.hpp>

namespace mnisttrain::cli {

// A non-negative integer: "-1" is refused (an unsigned option would wrap it to 2^64 - 1).
CLI::Validator non_negative_integer();

// A finite number above 0 that stays above 0 as a float32 (the type training uses).
CLI::Validator positive_float32();

}  // namespace mnisttrain::cli
