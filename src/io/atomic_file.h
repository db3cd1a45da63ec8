// Whole-file writes that never leave a half-written file under the final name: the bytes go
// to a temporary file beside the target, which is flushed and then renamed over it. A symlink
// is written through (its target is replaced, the link kept); an existing path that is not a
// regular file (device, FIFO, directory) is refused rather than replaced.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mnisttrain::io {

void write_file_atomic(const std::string& path, const void* bytes, std::size_t size);
void write_file_atomic(const std::string& path, const std::string& bytes);
// The file is the pieces back to back, written from where they lie (a checkpoint's megabytes of
// weights are not first copied into one string).
void write_file_atomic(const std::string& path, const std::vector<std::string_view>& pieces);

}  // namespace mnisttrain::io
