// Flag value validators; see flag_checks.h.
#include "cli/flag_checks.h"

#include <cmath>
#include <cstdlib>
#include <string>

namespace mnisttrain::cli {

CLI::Validator non_negative_integer() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
        return digits ? "" : "expected a non-negative integer, got \"" + text + "\"";
      },
      "INT>=0");
}

CLI::Validator positive_float32() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0' || !std::isfinite(value) || value <= 0.0) {
          return "expected a finite number > 0, got \"" + text + "\"";
        }
        if (static_cast<float>(value) <= 0.0f) {
          return "\"" + text + "\" rounds to 0 as a float32; training would not change the weights";
        }
        return "";
      },
      "FLOAT>0");
}

}  // namespace mnisttrain::cli
