// A sequential byte stream over a plain or gzip-compressed file, told apart by the gzip magic
// (1f 8b) rather than the file name. For plain files the size is known before reading, which
// lets callers check a header's claims before allocating. Gzip is inflated with zlib directly
// (not gzread) so that bytes after the end of the gzip stream are seen, not silently skipped.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace mnisttrain::data {

class ByteSource {
 public:
  explicit ByteSource(const std::string& path);
  ~ByteSource();
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  bool gzipped() const { return gzipped_; }
  std::uint64_t file_size() const { return file_size_; }  // bytes on disk

  // Reads up to n (decompressed) bytes; fewer only at the end of the data. A corrupt or cut
  // gzip stream throws, naming the compressed byte offset.
  std::size_t read(void* out, std::size_t n);

  // Gzip only, after the data has been read to its end: the count of bytes on disk after the
  // gzip stream (0 for a well-formed single-stream file).
  std::uint64_t bytes_after_stream();

  // The decompressed (or plain) offset callers have consumed, for their messages.
  void advance(std::size_t n) { offset_ += n; }
  std::uint64_t offset() const { return offset_; }

 private:
  std::uint64_t compressed_offset() const { return compressed_read_ - stream_.avail_in; }

  std::string path_;
  std::FILE* file_ = nullptr;
  bool gzipped_ = false;
  std::uint64_t file_size_ = 0;
  std::uint64_t offset_ = 0;
  z_stream stream_{};
  bool stream_open_ = false;
  bool stream_end_ = false;
  std::uint64_t compressed_read_ = 0;
  std::vector<unsigned char> input_;
};

}  // namespace mnisttrain::data
