// Temp-file-then-rename writes; see atomic_file.h.
#include "io/atomic_file.h"

#include "error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace mnisttrain::io {

namespace {

// The file a write to `path` should replace: symlinks are followed (the link stays, its target
// gets the new bytes), up to the kernel's own limit of 40 hops.
std::string final_target(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path target = path;
  for (int hops = 0; hops < 40; ++hops) {
    std::error_code error;
    if (!fs::is_symlink(fs::symlink_status(target, error))) return target.string();
    const fs::path link = fs::read_symlink(target, error);
    if (error) throw Error(path + ": cannot read symbolic link: " + error.message());
    target = link.is_absolute() ? link : target.parent_path() / link;
  }
  throw Error(path + ": too many levels of symbolic links");
}

// Only regular files are replaced: renaming over a device node, FIFO or directory would
// destroy it (or fail half-way), so an existing non-regular path is refused up front.
void check_replaceable(const std::string& path, const std::string& target) {
  struct stat info {};
  if (::stat(target.c_str(), &info) != 0) return;  // absent: created
  if (S_ISREG(info.st_mode)) return;
  const char* kind = S_ISDIR(info.st_mode)    ? "a directory"
                     : S_ISFIFO(info.st_mode) ? "a FIFO"
                     : S_ISCHR(info.st_mode)  ? "a character device"
                     : S_ISBLK(info.st_mode)  ? "a block device"
                                              : "not a regular file";
  throw Error(path + ": exists and is " + kind +
              "; refusing to replace it (output paths must be regular files or new)");
}

}  // namespace

void write_file_atomic(const std::string& path, const std::vector<std::string_view>& pieces) {
  const std::string target = final_target(path);
  check_replaceable(path, target);
  const std::string temp = target + ".tmp." + std::to_string(::getpid());
  std::FILE* file = std::fopen(temp.c_str(), "wb");
  if (!file) {
    throw Error(path + ": cannot create temporary file " + temp + ": " + std::strerror(errno));
  }
  std::size_t size = 0;
  std::size_t written = 0;
  for (const std::string_view piece : pieces) {
    // After a short write the rest is not tried: the error below says how far it got. An
    // empty piece may have no storage, and fwrite's pointer must not be null.
    if (written == size && !piece.empty()) written += std::fwrite(piece.data(), 1, piece.size(), file);
    size += piece.size();
  }
  const bool flushed = std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0;
  const int write_errno = errno;
  const bool closed = std::fclose(file) == 0;
  if (written != size || !flushed || !closed) {
    std::remove(temp.c_str());
    throw Error(path + ": write failed after " + std::to_string(written) + " of " +
                std::to_string(size) + " bytes: " + std::strerror(write_errno));
  }
  if (std::rename(temp.c_str(), target.c_str()) != 0) {
    const int rename_errno = errno;
    std::remove(temp.c_str());
    throw Error(path + ": cannot rename " + temp + " into place: " + std::strerror(rename_errno));
  }
}

void write_file_atomic(const std::string& path, const void* bytes, std::size_t size) {
  write_file_atomic(path, {std::string_view(static_cast<const char*>(bytes), size)});
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  write_file_atomic(path, bytes.data(), bytes.size());
}

}  // namespace mnisttrain::io
