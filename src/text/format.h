// Number and label formatting shared by the commands and the report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mnisttrain::text {

std::string with_commas(std::uint64_t value);  // 407050 -> "407,050"
std::string human_bytes(std::uint64_t bytes);  // 1628200 -> "1.55 MiB"

// Characters (code points) in UTF-8 text: a kana such as KMNIST's names counts 1, not its 3 bytes.
std::size_t characters(const std::string& utf8);
// `text` followed by spaces up to `width` characters.
std::string pad_right(const std::string& text, std::size_t width);
// A class as the commands and the report show it: "3", or "3 cat" when the config names its
// classes (data.class_names).
std::string class_label(std::size_t index, const std::vector<std::string>& names);

}  // namespace mnisttrain::text
