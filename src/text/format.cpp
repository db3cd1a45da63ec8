// Number and label formatting; see format.h.
#include "text/format.h"

#include <cstdio>

namespace mnisttrain::text {

std::string with_commas(std::uint64_t value) {
  std::string digits = std::to_string(value);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

std::string human_bytes(std::uint64_t bytes) {
  static const char* units[] = {"B", "KiB", "MiB", "GiB"};
  double size = static_cast<double>(bytes);
  int unit = 0;
  while (size >= 1024.0 && unit < 3) {
    size /= 1024.0;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit ? "%.2f %s" : "%.0f %s", size, units[unit]);
  return buf;
}

std::size_t characters(const std::string& utf8) {
  std::size_t count = 0;
  for (char byte : utf8) count += (static_cast<unsigned char>(byte) & 0xC0) != 0x80;  // not a continuation byte
  return count;
}

std::string pad_right(const std::string& text, std::size_t width) {
  const std::size_t length = characters(text);
  return length >= width ? text : text + std::string(width - length, ' ');
}

std::string class_label(std::size_t index, const std::vector<std::string>& names) {
  return names.empty() ? std::to_string(index) : std::to_string(index) + " " + names.at(index);
}

}  // namespace mnisttrain::text
