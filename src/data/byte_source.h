// A sequential byte stream over a plain or gzip-compressed file, told apart by the gzip magic
// (1f 8b) rather than the file name. Only regular files are read (a FIFO or device is refused
// at once, see io/input_file.h). For plain files the size is known before reading, which lets
// callers check a header's claims before allocating. Gzip is inflated with zlib directly (not
// gzread) so that each member's CRC is checked, further members are read on (as gunzip does),
// and the first byte after the last member that does not start a member is an error at once.
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
  // gzip stream, or bytes after it that are not another gzip member, throw, naming the
  // compressed byte offset.
  std::size_t read(void* out, std::size_t n);

  // The decompressed (or plain) offset callers have consumed, for their messages.
  void advance(std::size_t n) { offset_ += n; }
  std::uint64_t offset() const { return offset_; }

 private:
  std::uint64_t compressed_offset() const { return compressed_read_ - stream_.avail_in; }
  std::size_t read_plain(void* out, std::size_t n);
  bool fill_input(std::size_t at_least);
  bool next_member();

  std::string path_;
  std::FILE* file_ = nullptr;
  bool gzipped_ = false;
  std::uint64_t file_size_ = 0;
  std::uint64_t offset_ = 0;
  z_stream stream_{};
  bool stream_open_ = false;
  bool member_end_ = false;  // the current member ended; another may follow
  bool data_end_ = false;    // no further member: the data is over
  std::uint64_t compressed_read_ = 0;
  std::vector<unsigned char> input_;
};

}  // namespace mnisttrain::data
