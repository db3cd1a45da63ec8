// Opening and reading regular files only; see input_file.h.
#include "io/input_file.h"

#include "error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mnisttrain::io {
namespace {

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe or pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

}  // namespace

std::FILE* open_regular_file(const std::string& path, const std::string& what,
                             std::uint64_t& size_out) {
  // O_NONBLOCK: opening a FIFO that has no writer would otherwise wait forever.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw Error(path + ": cannot open: " + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    const int stat_errno = errno;
    ::close(fd);
    throw Error(path + ": cannot stat: " + std::strerror(stat_errno));
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    throw Error(path + ": is " + kind_of(info.st_mode) + ", expected " + what +
                " (only regular files are read; save piped data to a file first)");
  }
  // Regular files never block; clear the flag so reads behave normally.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  std::FILE* file = ::fdopen(fd, "rb");
  if (!file) {
    const int open_errno = errno;
    ::close(fd);
    throw Error(path + ": cannot open: " + std::strerror(open_errno));
  }
  size_out = static_cast<std::uint64_t>(info.st_size);
  return file;
}

std::string read_regular_file(const std::string& path, const std::string& what,
                              std::uint64_t max_bytes) {
  std::uint64_t size = 0;
  std::FILE* file = open_regular_file(path, what, size);
  if (size > max_bytes) {
    std::fclose(file);
    throw Error(path + ": " + std::to_string(size) + " bytes, more than the " +
                std::to_string(max_bytes) + " accepted for " + what);
  }
  std::string bytes(static_cast<std::size_t>(size), '\0');
  const std::size_t got = size ? std::fread(bytes.data(), 1, bytes.size(), file) : 0;
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) throw Error(path + ": read error after " + std::to_string(got) + " bytes");
  // A file that shrank while being read is read as it now is.
  bytes.resize(got);
  return bytes;
}

}  // namespace mnisttrain::io
