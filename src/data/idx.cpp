// Strict IDX reading and writing; see idx.h for the format.
#include "data/idx.h"

#include "data/byte_source.h"
#include "checked_size.h"
#include "error.h"
#include "io/atomic_file.h"
#include "io/huge_pages.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace mnisttrain::data {

const char* type_name(IdxType type) {
  switch (type) {
    case IdxType::UInt8: return "uint8";
    case IdxType::Int8: return "int8";
    case IdxType::Int16: return "int16";
    case IdxType::Int32: return "int32";
    case IdxType::Float32: return "float32";
    case IdxType::Float64: return "float64";
  }
  return "unknown";
}

std::size_t type_size(IdxType type) {
  switch (type) {
    case IdxType::UInt8:
    case IdxType::Int8: return 1;
    case IdxType::Int16: return 2;
    case IdxType::Int32:
    case IdxType::Float32: return 4;
    case IdxType::Float64: return 8;
  }
  return 0;
}

static bool is_known_type(std::uint8_t byte) {
  return byte == 0x08 || byte == 0x09 || byte == 0x0B || byte == 0x0C || byte == 0x0D ||
         byte == 0x0E;
}

std::size_t IdxArray::count() const {
  std::uint64_t n = 1;
  for (auto d : dims) n = checked_mul(n, d, "IDX shape " + shape_string());
  return n;
}

std::uint32_t IdxArray::magic() const {
  return (static_cast<std::uint32_t>(type) << 8) | static_cast<std::uint32_t>(dims.size());
}

double IdxArray::value(std::size_t index) const {
  const std::uint8_t* p = bytes.data() + index * type_size(type);
  switch (type) {
    case IdxType::UInt8: return *p;
    case IdxType::Int8: return static_cast<std::int8_t>(*p);
    case IdxType::Int16: { std::int16_t v; std::memcpy(&v, p, 2); return v; }
    case IdxType::Int32: { std::int32_t v; std::memcpy(&v, p, 4); return v; }
    case IdxType::Float32: { float v; std::memcpy(&v, p, 4); return v; }
    case IdxType::Float64: { double v; std::memcpy(&v, p, 8); return v; }
  }
  return 0.0;
}

std::string IdxArray::shape_string() const {
  std::string s = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(dims[i]);
  }
  return s + (dims.size() == 1 ? ",)" : ")");
}

IdxArray make_uint8_array(std::vector<std::uint32_t> dims, std::vector<std::uint8_t> values) {
  IdxArray array;
  array.dims = std::move(dims);
  array.bytes = std::move(values);
  if (array.bytes.size() != array.count()) {
    throw Error("make_uint8_array: " + std::to_string(array.bytes.size()) +
                " values for shape " + array.shape_string());
  }
  return array;
}

// ---------------------------------------------------------------------------------------------
// Reading

namespace {

std::string hex(std::uint32_t value, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*X", digits, value);
  return buf;
}

void read_exact(ByteSource& source, const std::string& path, void* out, std::size_t n,
                const char* what) {
  const std::size_t got = source.read(out, n);
  if (got != n) {
    throw Error(path + ": truncated " + what + ": expected " + std::to_string(n) +
                " bytes at offset " + std::to_string(source.offset()) + ", found " +
                std::to_string(got) + (source.gzipped() ? " (decompressed)" : ""));
  }
  source.advance(n);
}

std::uint32_t big_endian_u32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

void swap_to_native(std::uint8_t* bytes, std::size_t size, std::size_t element_size) {
  if (element_size == 1) return;
  for (std::size_t i = 0; i + element_size <= size; i += element_size) {
    std::reverse(bytes + i, bytes + i + element_size);
  }
}

}  // namespace

IdxReader::IdxReader(const std::string& path)
    : path_(path), source_(std::make_unique<ByteSource>(path)) {
  ByteSource& source = *source_;
  header_.gzipped = source.gzipped();
  unsigned char magic[4];
  read_exact(source, path, magic, 4, "IDX header");
  const std::uint32_t magic_value = big_endian_u32(magic);
  if (magic[0] != 0 || magic[1] != 0) {
    throw Error(path + ": not an IDX file: magic number " + hex(magic_value, 8) +
                " at offset 0 should start with two zero bytes (MNIST images are 0x00000803, "
                "labels 0x00000801)");
  }
  if (!is_known_type(magic[2])) {
    throw Error(path + ": unknown IDX element type " + hex(magic[2], 2) +
                " at offset 2 (known: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, "
                "0x0D float32, 0x0E float64)");
  }
  const std::size_t ndim = magic[3];
  if (ndim == 0 || ndim > kMaxIdxDims) {
    throw Error(path + ": IDX dimension count " + std::to_string(ndim) +
                " at offset 3 is outside 1.." + std::to_string(kMaxIdxDims));
  }
  header_.type = static_cast<IdxType>(magic[2]);
  read_dims(ndim);
}

IdxReader::~IdxReader() = default;

void IdxReader::read_dims(std::size_t ndim) {
  unsigned char sizes[4 * kMaxIdxDims];
  read_exact(*source_, path_, sizes, 4 * ndim, "IDX dimension sizes");
  std::uint64_t data_bytes = type_size(header_.type);
  bool overflow = false;
  for (std::size_t i = 0; i < ndim; ++i) {
    const std::uint32_t d = big_endian_u32(sizes + 4 * i);
    header_.dims.push_back(d);
    claimed_ += (i ? " x " : "") + std::to_string(d);
    // Checked multiply: the size may overflow 64 bits long before it fails the limit.
    overflow = overflow || __builtin_mul_overflow(data_bytes, std::uint64_t{d}, &data_bytes);
  }
  if (overflow || data_bytes > kMaxIdxDataBytes) {
    throw Error(path_ + ": header claims shape " + claimed_ + " of " + type_name(header_.type) +
                " (" + (overflow ? std::string("over 2^64") : std::to_string(data_bytes)) +
                " bytes), more than the " + std::to_string(kMaxIdxDataBytes >> 30) +
                " GiB limit; the header is corrupt or this is not an IDX file");
  }
  data_bytes_ = data_bytes;
}

// Plain files: the size on disk must match the header exactly. Checked before the first data
// byte is read, not in the constructor, so that the header alone can be read from a cut file.
void IdxReader::check_plain_size() {
  if (source_->gzipped() || size_checked_) return;
  size_checked_ = true;
  const std::uint64_t header = header_.header_bytes();
  const std::uint64_t size = source_->file_size();
  if (size < header + data_bytes_) {
    throw Error(path_ + ": truncated: header (" + claimed_ + " " + type_name(header_.type) +
                ") implies " + std::to_string(header + data_bytes_) + " bytes, file has " +
                std::to_string(size) + " (ends at offset " + std::to_string(size) +
                ", data should end at offset " + std::to_string(header + data_bytes_) + ")");
  }
  if (size > header + data_bytes_) {
    throw Error(path_ + ": " + std::to_string(size - header - data_bytes_) +
                " trailing bytes after the data, which ends at offset " +
                std::to_string(header + data_bytes_) + " (file has " + std::to_string(size) +
                " bytes)");
  }
}

std::size_t IdxReader::read_data(std::uint8_t* out, std::size_t n) {
  check_plain_size();
  const std::size_t want =
      static_cast<std::size_t>(std::min<std::uint64_t>(n, data_bytes_ - data_read_));
  const std::size_t got = source_->read(out, want);
  source_->advance(got);
  data_read_ += got;
  if (got != want) {
    throw Error(path_ + ": truncated: header (" + claimed_ + " " + type_name(header_.type) +
                ") implies " + std::to_string(data_bytes_) + " data bytes after the " +
                std::to_string(header_.header_bytes()) + "-byte header, stream ends at offset " +
                std::to_string(source_->offset()) + (source_->gzipped() ? " (decompressed)" : ""));
  }
  swap_to_native(out, got, type_size(header_.type));
  return got;
}

std::vector<std::uint8_t> IdxReader::read_all() {
  // For gzip the true size is only known by reading, so grow in chunks as data arrives: a
  // small file with a lying header fails at its end instead of allocating the claim.
  std::vector<std::uint8_t> bytes;
  if (!source_->gzipped()) {
    // A plain file was checked to hold every byte its header claims: one allocation, one read
    // (growing by chunks copied MNIST's 47 MB of pixels about twice over).
    check_plain_size();
    io::reserve_in_huge_pages(bytes, static_cast<std::size_t>(data_bytes_));
    bytes.resize(static_cast<std::size_t>(data_bytes_));
    read_data(bytes.data(), bytes.size());
    finish();
    return bytes;
  }
  const std::size_t chunk = std::size_t{1} << 20;
  while (data_read_ < data_bytes_) {
    const std::size_t before = bytes.size();
    bytes.resize(before + static_cast<std::size_t>(std::min<std::uint64_t>(chunk, data_bytes_ - data_read_)));
    read_data(bytes.data() + before, bytes.size() - before);
  }
  finish();
  return bytes;
}

void IdxReader::finish() {
  check_plain_size();
  if (!source_->gzipped()) return;  // the plain size was checked against the header
  // One byte more: a well-formed file ends here (which makes zlib check the CRC32 and length
  // of the last member); anything else is refused without inflating the rest.
  unsigned char extra = 0;
  if (source_->read(&extra, 1) != 0) {
    throw Error(path_ + ": trailing bytes after the data, which ends at offset " +
                std::to_string(header_.header_bytes() + data_bytes_) + " (decompressed)");
  }
}

IdxArray read_idx_header(const std::string& path) { return IdxReader(path).header(); }

IdxArray read_idx(const std::string& path, std::uint64_t max_data_bytes) {
  IdxReader reader(path);
  if (reader.data_bytes() > max_data_bytes) {
    throw Error(path + ": header claims shape " + reader.header().shape_string() + " of " +
                type_name(reader.header().type) + " (" + std::to_string(reader.data_bytes()) +
                " bytes), more than the " + std::to_string(max_data_bytes) + " accepted here");
  }
  IdxArray array = reader.header();
  array.bytes = reader.read_all();
  return array;
}

// ---------------------------------------------------------------------------------------------
// Writing

static std::string gzip_bytes(const std::string& raw, const std::string& path) {
  z_stream stream{};
  // windowBits 15 + 16 selects the gzip wrapper rather than raw zlib.
  if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw Error(path + ": cannot initialise gzip compression");
  }
  std::string out(deflateBound(&stream, raw.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  stream.avail_in = static_cast<uInt>(raw.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw Error(path + ": gzip compression failed");
  return out;
}

void write_idx(const std::string& path, const IdxArray& array) {
  if (array.dims.empty() || array.dims.size() > kMaxIdxDims) {
    throw Error(path + ": cannot write an IDX array with " + std::to_string(array.dims.size()) +
                " dimensions");
  }
  const std::size_t element_size = type_size(array.type);
  const std::uint64_t data_bytes = checked_mul(array.count(), element_size, path + ": IDX data size");
  if (array.bytes.size() != data_bytes) {
    throw Error(path + ": IDX array holds " + std::to_string(array.bytes.size()) +
                " bytes, its shape " + array.shape_string() + " needs " +
                std::to_string(data_bytes));
  }
  // The reader's limit, so that nothing is written that cannot be read back.
  if (data_bytes > kMaxIdxDataBytes) {
    throw Error(path + ": IDX data of " + std::to_string(data_bytes) + " bytes is more than the " +
                std::to_string(kMaxIdxDataBytes >> 30) + " GiB the reader accepts");
  }
  std::string raw;
  raw.reserve(array.header_bytes() + array.bytes.size());
  const std::uint32_t magic = array.magic();
  auto put_u32 = [&raw](std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) raw.push_back(static_cast<char>(v >> shift));
  };
  put_u32(magic);
  for (auto d : array.dims) put_u32(d);
  const std::size_t data_start = raw.size();
  raw.append(reinterpret_cast<const char*>(array.bytes.data()), array.bytes.size());
  for (std::size_t i = data_start; element_size > 1 && i < raw.size(); i += element_size) {
    std::reverse(raw.begin() + static_cast<std::ptrdiff_t>(i),
                 raw.begin() + static_cast<std::ptrdiff_t>(i + element_size));
  }
  io::write_file_atomic(path, array.gzipped ? gzip_bytes(raw, path) : raw);
}

}  // namespace mnisttrain::data
