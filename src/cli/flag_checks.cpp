// Range checks in words; see flag_checks.h.
#include "cli/flag_checks.h"

#include "text/suggest.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace mnisttrain::cli {

namespace {

bool parse_integer(const std::string& text, long long& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  value = std::strtoll(text.c_str(), &end, 10);
  return errno == 0 && *end == '\0';
}

bool parse_unsigned(const std::string& text, unsigned long long& value) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return false;
  errno = 0;
  value = std::strtoull(text.c_str(), nullptr, 10);
  return errno == 0;
}

std::string got(const std::string& text) { return ", got '" + text + "'"; }

}  // namespace

CLI::Validator integer_at_least(long long lowest) {
  const std::string rule = "an integer >= " + std::to_string(lowest);
  return CLI::Validator(
      [lowest, rule](std::string& text) {
        long long value = 0;
        if (parse_integer(text, value)) return value >= lowest ? std::string() : "must be " + rule + got(text);
        // Past long long's range: fine for an unsigned option such as --seed (up to 2^64 - 1).
        unsigned long long big = 0;
        if (lowest >= 0 && parse_unsigned(text, big)) return std::string();
        return "must be " + rule + got(text);
      },
      ">= " + std::to_string(lowest));
}

CLI::Validator integer_between(long long lowest, long long highest) {
  const std::string range = std::to_string(lowest) + ".." + std::to_string(highest);
  return CLI::Validator(
      [lowest, highest, range](std::string& text) {
        long long value = 0;
        if (parse_integer(text, value) && value >= lowest && value <= highest) return std::string();
        return "must be an integer in " + range + got(text);
      },
      range);
}

CLI::Validator number_above(double bound) {
  char shown[32];
  std::snprintf(shown, sizeof shown, "%g", bound);
  const std::string rule = std::string("> ") + shown;
  return CLI::Validator(
      [bound, rule](std::string& text) {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        // !(value > bound) also refuses NaN.
        if (!text.empty() && *end == '\0' && std::isfinite(value) && value > bound) return std::string();
        return "must be a finite number " + rule + got(text);
      },
      rule);
}

CLI::Validator positive_float32() {
  const CLI::Validator above_zero = number_above(0.0);
  return CLI::Validator(
      [above_zero](std::string& text) {
        const std::string error = above_zero(text);
        if (!error.empty()) return error;
        if (static_cast<float>(std::strtod(text.c_str(), nullptr)) > 0.0f) return std::string();
        return "rounds to 0 as a float32" + got(text) + "; training would not change the weights";
      },
      "> 0");
}

CLI::Validator one_of(const std::vector<std::string>& words) {
  std::string listed;
  for (const std::string& word : words) listed += (listed.empty() ? "" : ", ") + word;
  return CLI::Validator(
      [words, listed](std::string& text) {
        for (const std::string& word : words) {
          if (text == word) return std::string();
        }
        const std::string near = text::closest_word(text, words);
        return "must be one of " + listed + got(text) + (near.empty() ? "" : "; did you mean '" + near + "'?");
      },
      listed);
}

}  // namespace mnisttrain::cli
