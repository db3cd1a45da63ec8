// Flag value checks that state the allowed range in words ("must be an integer >= 1, got 0")
// instead of CLI11's numeric limits. They read the text as typed, before conversion, so a
// non-number gets the same sentence.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace mnisttrain::cli {

CLI::Validator integer_at_least(long long lowest);
CLI::Validator integer_between(long long lowest, long long highest);
CLI::Validator number_above(double bound);
// A finite number > 0 that stays above 0 as a float32, the type training uses (1e-50 would
// silently train nothing).
CLI::Validator positive_float32();
// One of `words`, with a "did you mean" for a near miss.
CLI::Validator one_of(const std::vector<std::string>& words);

}  // namespace mnisttrain::cli
