// The one exception type of the library. Everything below cli/ reports failure by throwing
// it with a complete one-line message (file, field or byte offset, what was expected, what
// was found); cli/ prints that line and exits non-zero.
#pragma once

#include <stdexcept>
#include <string>

namespace mnisttrain {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace mnisttrain
