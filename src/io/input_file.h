// Opening files to read without hanging or reading forever: only regular files are accepted
// (a FIFO without a writer would block, /dev/zero and /dev/urandom never end), the open itself
// never blocks (O_NONBLOCK), and whole-file reads have a size cap checked before reading.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace mnisttrain::io {

// Opens `path` for reading as a stdio stream, or throws an Error naming the path when it is
// missing, unreadable or not a regular file ("is a FIFO", "is a character device", ...).
// `what` says what the file should be, for the message ("an IDX file", "a config file").
// size_out receives the size on disk.
std::FILE* open_regular_file(const std::string& path, const std::string& what,
                             std::uint64_t& size_out);

// Reads a whole regular file of at most max_bytes, refusing larger files before reading.
std::string read_regular_file(const std::string& path, const std::string& what,
                              std::uint64_t max_bytes);

}  // namespace mnisttrain::io
