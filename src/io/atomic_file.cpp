// Temp-file-then-rename writes; see atomic_file.h.
#include "io/atomic_file.h"

#include "error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace mnisttrain::io {

void write_file_atomic(const std::string& path, const void* bytes, std::size_t size) {
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  std::FILE* file = std::fopen(temp.c_str(), "wb");
  if (!file) {
    throw Error(path + ": cannot create temporary file " + temp + ": " + std::strerror(errno));
  }
  const std::size_t written = size ? std::fwrite(bytes, 1, size, file) : 0;
  const bool flushed = std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0;
  const int write_errno = errno;
  const bool closed = std::fclose(file) == 0;
  if (written != size || !flushed || !closed) {
    std::remove(temp.c_str());
    throw Error(path + ": write failed after " + std::to_string(written) + " of " +
                std::to_string(size) + " bytes: " + std::strerror(write_errno));
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    const int rename_errno = errno;
    std::remove(temp.c_str());
    throw Error(path + ": cannot rename " + temp + " into place: " + std::strerror(rename_errno));
  }
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  write_file_atomic(path, bytes.data(), bytes.size());
}

}  // namespace mnisttrain::io
