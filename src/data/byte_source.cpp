// Plain and gzip byte streams; see byte_source.h.
#include "data/byte_source.h"

#include "error.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace mnisttrain::data {

ByteSource::ByteSource(const std::string& path) : path_(path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) throw Error(path + ": cannot open: " + std::strerror(errno));
  if (S_ISDIR(info.st_mode)) throw Error(path + ": is a directory, expected an IDX file");
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_) throw Error(path + ": cannot open: " + std::strerror(errno));
  file_size_ = static_cast<std::uint64_t>(info.st_size);
  unsigned char head[2] = {0, 0};
  gzipped_ = std::fread(head, 1, 2, file_) == 2 && head[0] == 0x1f && head[1] == 0x8b;
  std::rewind(file_);
  if (gzipped_) {
    // windowBits 15 + 16: expect the gzip wrapper and check its CRC32 and length trailer.
    if (inflateInit2(&stream_, 15 + 16) != Z_OK) throw Error(path + ": cannot initialise gzip decoding");
    stream_open_ = true;
    input_.resize(1 << 16);
  }
}

ByteSource::~ByteSource() {
  if (stream_open_) inflateEnd(&stream_);
  if (file_) std::fclose(file_);
}

std::size_t ByteSource::read(void* out, std::size_t n) {
  if (!gzipped_) {
    const std::size_t got = std::fread(out, 1, n, file_);
    if (got < n && std::ferror(file_)) throw Error(path_ + ": read error at offset " + std::to_string(offset_));
    return got;
  }
  auto* next = static_cast<unsigned char*>(out);
  std::size_t left = n;
  while (left > 0 && !stream_end_) {
    if (stream_.avail_in == 0) {
      const std::size_t got = std::fread(input_.data(), 1, input_.size(), file_);
      if (got == 0) {
        if (std::ferror(file_)) throw Error(path_ + ": read error at compressed offset " + std::to_string(compressed_read_));
        throw Error(path_ + ": gzip stream is cut off: the compressed file ends at byte " +
                    std::to_string(compressed_read_) + " before the stream's end (" +
                    std::to_string(offset_ + (n - left)) + " bytes decompressed)");
      }
      compressed_read_ += got;
      stream_.next_in = input_.data();
      stream_.avail_in = static_cast<uInt>(got);
    }
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(left, 1u << 30));
    stream_.next_out = next;
    stream_.avail_out = chunk;
    const int status = inflate(&stream_, Z_NO_FLUSH);
    const std::size_t produced = chunk - stream_.avail_out;
    next += produced;
    left -= produced;
    if (status == Z_STREAM_END) {
      stream_end_ = true;
    } else if (status != Z_OK && status != Z_BUF_ERROR) {
      throw Error(path_ + ": corrupt gzip data near compressed offset " + std::to_string(compressed_offset()) +
                  " (" + std::to_string(offset_ + (n - left)) + " bytes decompressed): " +
                  (stream_.msg ? stream_.msg : "inflate failed"));
    }
  }
  return n - left;
}

std::uint64_t ByteSource::bytes_after_stream() {
  if (!gzipped_ || !stream_end_) return 0;
  return file_size_ - compressed_offset();
}

}  // namespace mnisttrain::data
