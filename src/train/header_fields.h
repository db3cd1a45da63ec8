// Strict reading of the JSON header fields of model.bin and checkpoint.bin: each field must be
// present with its exact type and range, and every failure names the file and the field, so a
// damaged or hand-edited header never reaches the user as a raw JSON-library message.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace mnisttrain::train {

class HeaderFields {
 public:
  // `object` must be a JSON object; `where` prefixes messages ("model.bin: header").
  HeaderFields(const nlohmann::json& object, std::string where);

  const nlohmann::json& at(const std::string& key) const;  // present, any type
  std::int64_t integer(const std::string& key, std::int64_t min, std::int64_t max) const;
  std::uint64_t unsigned_integer(const std::string& key) const;
  double finite_number(const std::string& key) const;
  bool boolean(const std::string& key) const;
  // A string field that must equal `expected`.
  void expect_string(const std::string& key, const std::string& expected, const std::string& hint) const;
  // An array of integers in [min, max], of the given length (0: any non-empty length).
  std::vector<std::int64_t> integers(const std::string& key, std::int64_t min, std::int64_t max,
                                     std::size_t length = 0) const;
  HeaderFields object(const std::string& key) const;
  [[noreturn]] void fail(const std::string& key, const std::string& what) const;

 private:
  const nlohmann::json& object_;
  std::string where_;
};

// Refuses NaN or infinite values in a stored array, naming the array and the first bad index.
void check_finite(const std::vector<float>& values, const std::string& array_name,
                  const std::string& path);

}  // namespace mnisttrain::train
