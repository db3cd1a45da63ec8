// Strict JSON text parsing for config files and model headers: nesting deeper than
// kMaxJsonDepth and duplicate object keys are errors (nlohmann would keep the last value), and
// syntax errors become one short line naming the source and the byte offset.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace mnisttrain::io {

constexpr int kMaxJsonDepth = 64;

// Throws mnisttrain::Error("<source>: ...") for syntax errors, depth and duplicate keys.
nlohmann::json parse_json_text(const std::string& text, const std::string& source);

// A JSON value for a message: compact, ASCII-only, cut to about max_chars with "...". The
// value's depth is bounded by the parser, so dumping it cannot exhaust the stack.
std::string shown_json(const nlohmann::json& value, std::size_t max_chars = 60);

}  // namespace mnisttrain::io
