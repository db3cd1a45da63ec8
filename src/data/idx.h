// IDX files (the MNIST format): a 4-byte magic {0, 0, type, ndim}, ndim big-endian uint32
// sizes, then the elements big-endian, row-major. Reading is strict: the header is checked for
// overflow and absurd sizes before anything is allocated, and the file must hold exactly the
// bytes the header implies. Gzip-compressed files are recognised by content and read the same.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
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

class ByteSource;

// Reads an IDX file in two steps, so that callers judge the header before any data is read or
// inflated: the constructor reads and checks the header (type, rank, overflow, the 4 GiB
// limit); read_data streams the elements (for plain files after checking the exact size on
// disk); finish checks
// that nothing follows them (stopping at the first extra byte) and, for gzip, the CRC.
class IdxReader {
 public:
  explicit IdxReader(const std::string& path);
  ~IdxReader();

  // type, dims and gzipped as in the header; bytes stays empty.
  const IdxArray& header() const { return header_; }
  std::uint64_t data_bytes() const { return data_bytes_; }
  const std::string& path() const { return path_; }

  // Reads the next min(n, bytes left) data bytes, elements in native byte order (n must be a
  // multiple of the element size); throws when the file ends early.
  std::size_t read_data(std::uint8_t* out, std::size_t n);
  // The data not read yet, then finish(); memory grows with the data actually present.
  std::vector<std::uint8_t> read_all();
  void finish();

 private:
  void read_dims(std::size_t ndim);
  void check_plain_size();

  std::string path_;
  std::unique_ptr<ByteSource> source_;
  IdxArray header_;
  std::uint64_t data_bytes_ = 0;
  std::uint64_t data_read_ = 0;
  bool size_checked_ = false;
  std::string claimed_;  // "60000 x 28 x 28", for messages
};

// Reads the whole file; data larger than max_data_bytes is refused from the header alone.
IdxArray read_idx(const std::string& path, std::uint64_t max_data_bytes = kMaxIdxDataBytes);
// The magic and sizes alone (bytes stay empty), with the same header checks as read_idx.
IdxArray read_idx_header(const std::string& path);
// Writes big-endian (gzip-compressed when array.gzipped), through a temp file and rename.
void write_idx(const std::string& path, const IdxArray& array);

// Convenience for the common uint8 case.
IdxArray make_uint8_array(std::vector<std::uint32_t> dims, std::vector<std::uint8_t> values);

}  // namespace mnisttrain::data
