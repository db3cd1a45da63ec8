// Typed header fields; see header_fields.h.
#include "train/header_fields.h"

#include "error.h"
#include "io/json_text.h"

#include <cmath>

namespace mnisttrain::train {

using nlohmann::json;

HeaderFields::HeaderFields(const json& object, std::string where)
    : object_(object), where_(std::move(where)) {
  if (!object_.is_object()) throw Error(where_ + ": expected an object, got " + io::shown_json(object_));
}

void HeaderFields::fail(const std::string& key, const std::string& what) const {
  throw Error(where_ + "." + key + ": " + what);
}

const json& HeaderFields::at(const std::string& key) const {
  const auto found = object_.find(key);
  if (found == object_.end()) fail(key, "missing");
  return *found;
}

namespace {

bool integer_in(const json& value, std::int64_t min, std::int64_t max) {
  if (!value.is_number_integer()) return false;
  if (value.is_number_unsigned()) return value.get<std::uint64_t>() <= static_cast<std::uint64_t>(max) &&
                                         static_cast<std::int64_t>(value.get<std::uint64_t>()) >= min;
  return value.get<std::int64_t>() >= min && value.get<std::int64_t>() <= max;
}

std::string range_text(std::int64_t min, std::int64_t max) {
  return "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
}

}  // namespace

std::int64_t HeaderFields::integer(const std::string& key, std::int64_t min, std::int64_t max) const {
  const json& value = at(key);
  if (!integer_in(value, min, max)) fail(key, "expected " + range_text(min, max) + ", got " + io::shown_json(value));
  return value.get<std::int64_t>();
}

std::uint64_t HeaderFields::unsigned_integer(const std::string& key) const {
  const json& value = at(key);
  if (!value.is_number_unsigned()) fail(key, "expected an integer >= 0, got " + io::shown_json(value));
  return value.get<std::uint64_t>();
}

double HeaderFields::finite_number(const std::string& key) const {
  const json& value = at(key);
  if (!value.is_number() || !std::isfinite(value.get<double>())) {
    fail(key, "expected a finite number, got " + io::shown_json(value));
  }
  return value.get<double>();
}

bool HeaderFields::boolean(const std::string& key) const {
  const json& value = at(key);
  if (!value.is_boolean()) fail(key, "expected true or false, got " + io::shown_json(value));
  return value.get<bool>();
}

void HeaderFields::expect_string(const std::string& key, const std::string& expected,
                                 const std::string& hint) const {
  const json& value = at(key);
  if (!value.is_string() || value.get_ref<const std::string&>() != expected) {
    fail(key, "is " + io::shown_json(value) + ", expected " + io::shown_json(json(expected)) + hint);
  }
}

std::vector<std::int64_t> HeaderFields::integers(const std::string& key, std::int64_t min,
                                                 std::int64_t max, std::size_t length) const {
  const json& value = at(key);
  const bool shaped = value.is_array() && !value.empty() && (length == 0 || value.size() == length);
  if (!shaped) {
    fail(key, "expected an array of " + (length ? std::to_string(length) : std::string("some")) +
                  " integers, got " + io::shown_json(value));
  }
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (!integer_in(value[i], min, max)) {
      fail(key + "[" + std::to_string(i) + "]",
           "expected " + range_text(min, max) + ", got " + io::shown_json(value[i]));
    }
    out.push_back(value[i].get<std::int64_t>());
  }
  return out;
}

HeaderFields HeaderFields::object(const std::string& key) const {
  return HeaderFields(at(key), where_ + "." + key);
}

void check_finite(const std::vector<float>& values, const std::string& array_name,
                  const std::string& path) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw Error(path + ": array \"" + array_name + "\" holds " + std::to_string(values[i]) +
                  " at index " + std::to_string(i) + "; stored weights must be finite");
    }
  }
}

}  // namespace mnisttrain::train
