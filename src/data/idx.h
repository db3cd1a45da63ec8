// IDX files (the MNIST format): a 4-byte magic {0, 0, type, ndim}, ndim big-endian uint32
// sizes, then the elements big-endian, row-major. Reading is strict: the header is checked for
// overflow and absurd sizes before anything is allocated, and the file must hold exactly the
// bytes the header implies. Gzip-compressed files are recognised by content and read the same.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mnisttrain::data {

enum class IdxType : std::uint8_t {
  UInt8 = 0x08,
  Int8 = 0x09,
  Int16 = 0x0B,
  Int32 = 0x0C,
  Float32 = 0x0D,
  Float64 = 0x0E,
};

const char* type_name(IdxType type);  // numpy's dtype names: "uint8", "int16", ...
std::size_t type_size(IdxType type);

// Refuses anything larger: far beyond any MNIST-like data set, small enough to allocate.
constexpr std::uint64_t kMaxIdxDataBytes = std::uint64_t{4} << 30;
constexpr std::size_t kMaxIdxDims = 8;

struct IdxArray {
  IdxType type = IdxType::UInt8;
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> bytes;  // elements in native byte order
  bool gzipped = false;             // as read from disk; as written with write_idx

  std::size_t count() const;        // number of elements
  std::size_t header_bytes() const { return 4 + 4 * dims.size(); }
  std::uint32_t magic() const;      // e.g. 0x00000803 for MNIST images
  double value(std::size_t index) const;
  std::string shape_string() const;  // "(60000, 28, 28)"
};

IdxArray read_idx(const std::string& path);
// The magic and sizes alone (bytes stay empty), with the same header checks as read_idx.
IdxArray read_idx_header(const std::string& path);
// Writes big-endian (gzip-compressed when array.gzipped), through a temp file and rename.
void write_idx(const std::string& path, const IdxArray& array);

// Convenience for the common uint8 case.
IdxArray make_uint8_array(std::vector<std::uint32_t> dims, std::vector<std::uint8_t> values);

}  // namespace mnisttrain::data
