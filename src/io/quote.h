// Text from outside (paths, names, JSON values) made safe for a one-line message: control bytes
// and bytes that are not UTF-8 become \n, \t, \xNN escapes, and long text is cut with "...", so
// a NUL or a newline in a file name can never split or end an error line.
#pragma once

#include <cstddef>
#include <string>

namespace mnisttrain::io {

constexpr std::size_t kMaxShownChars = 200;

// The text with control and non-UTF-8 bytes escaped, cut to about max_chars.
std::string escaped(const std::string& text, std::size_t max_chars = kMaxShownChars);

}  // namespace mnisttrain::io
