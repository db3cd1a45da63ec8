// Plain and gzip byte streams; see byte_source.h.
#include "data/byte_source.h"

#include "error.h"
#include "io/input_file.h"

#include <algorithm>
#include <cstring>

namespace mnisttrain::data {

ByteSource::ByteSource(const std::string& path) : path_(path) {
  file_ = io::open_regular_file(path, "an IDX file", file_size_);
  unsigned char head[2] = {0, 0};
  gzipped_ = std::fread(head, 1, 2, file_) == 2 && head[0] == 0x1f && head[1] == 0x8b;
  std::rewind(file_);  // a regular file, so rewinding works
  if (gzipped_) {
    // windowBits 15 + 16: expect the gzip wrapper and check its CRC32 and length trailer.
    if (inflateInit2(&stream_, 15 + 16) != Z_OK) {
      std::fclose(file_);
      throw Error(path + ": cannot initialise gzip decoding");
    }
    stream_open_ = true;
    input_.resize(1 << 16);
  }
}

ByteSource::~ByteSource() {
  if (stream_open_) inflateEnd(&stream_);
  if (file_) std::fclose(file_);
}

std::size_t ByteSource::read_plain(void* out, std::size_t n) {
  const std::size_t got = std::fread(out, 1, n, file_);
  if (got < n && std::ferror(file_)) {
    throw Error(path_ + ": read error at offset " + std::to_string(offset_));
  }
  return got;
}

// Makes at least `at_least` compressed bytes available (fewer only at the end of the file).
bool ByteSource::fill_input(std::size_t at_least) {
  if (stream_.avail_in >= at_least) return true;
  if (stream_.avail_in > 0) std::memmove(input_.data(), stream_.next_in, stream_.avail_in);
  const std::size_t got =
      std::fread(input_.data() + stream_.avail_in, 1, input_.size() - stream_.avail_in, file_);
  if (got == 0 && std::ferror(file_)) {
    throw Error(path_ + ": read error at compressed offset " + std::to_string(compressed_read_));
  }
  compressed_read_ += got;
  stream_.next_in = input_.data();
  stream_.avail_in += static_cast<uInt>(got);
  return stream_.avail_in >= at_least;
}

// After a member's end: starts the next member (multi-member gzip, as from `cat a.gz b.gz`),
// or returns false at the end of the file. Anything else is refused at its first byte.
bool ByteSource::next_member() {
  member_end_ = false;
  if (!fill_input(2)) {
    if (stream_.avail_in == 0) return false;
  } else if (stream_.next_in[0] == 0x1f && stream_.next_in[1] == 0x8b) {
    inflateReset(&stream_);
    return true;
  }
  throw Error(path_ + ": " + std::to_string(file_size_ - compressed_offset()) +
              " bytes after the end of the gzip stream, from compressed offset " +
              std::to_string(compressed_offset()) + " (the file has " +
              std::to_string(file_size_) + " bytes)");
}

std::size_t ByteSource::read(void* out, std::size_t n) {
  if (!gzipped_) return read_plain(out, n);
  auto* next = static_cast<unsigned char*>(out);
  std::size_t left = n;
  while (left > 0 && !data_end_) {
    if (member_end_ && !next_member()) {
      data_end_ = true;
      break;
    }
    if (!fill_input(1)) {
      throw Error(path_ + ": gzip stream is cut off: the compressed file ends at byte " +
                  std::to_string(compressed_read_) + " before the stream's end (" +
                  std::to_string(offset_ + (n - left)) + " bytes decompressed)");
    }
    const auto chunk = static_cast<uInt>(std::min<std::size_t>(left, 1u << 30));
    stream_.next_out = next;
    stream_.avail_out = chunk;
    const int status = inflate(&stream_, Z_NO_FLUSH);
    const std::size_t produced = chunk - stream_.avail_out;
    next += produced;
    left -= produced;
    if (status == Z_STREAM_END) {
      member_end_ = true;
    } else if (status != Z_OK && status != Z_BUF_ERROR) {
      throw Error(path_ + ": corrupt gzip data near compressed offset " +
                  std::to_string(compressed_offset()) + " (" +
                  std::to_string(offset_ + (n - left)) + " bytes decompressed): " +
                  (stream_.msg ? stream_.msg : "inflate failed"));
    }
  }
  return n - left;
}

}  // namespace mnisttrain::data
