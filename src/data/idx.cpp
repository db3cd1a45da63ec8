// Strict IDX reading and writing; see idx.h for the format.
#include "data/idx.h"

#include "data/byte_source.h"
#include "error.h"
#include "io/atomic_file.h"

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
  std::size_t n = 1;
  for (auto d : dims) n *= d;
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

void swap_to_native(std::vector<std::uint8_t>& bytes, std::size_t element_size) {
  if (element_size == 1) return;
  for (std::size_t i = 0; i + element_size <= bytes.size(); i += element_size) {
    std::reverse(bytes.begin() + static_cast<std::ptrdiff_t>(i),
                 bytes.begin() + static_cast<std::ptrdiff_t>(i + element_size));
  }
}

// Reads and checks the magic and the sizes into `array` (type, dims, gzipped); returns the
// data byte count the header claims.
std::uint64_t read_header(ByteSource& source, const std::string& path, IdxArray& array) {
  array.gzipped = source.gzipped();

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
  array.type = static_cast<IdxType>(magic[2]);

  unsigned char sizes[4 * kMaxIdxDims];
  read_exact(source, path, sizes, 4 * ndim, "IDX dimension sizes");
  std::uint64_t data_bytes = type_size(array.type);
  std::string claimed;
  for (std::size_t i = 0; i < ndim; ++i) {
    const std::uint32_t d = big_endian_u32(sizes + 4 * i);
    array.dims.push_back(d);
    claimed += (i ? " x " : "") + std::to_string(d);
    // Checked multiply: the size may overflow 64 bits long before it fails the limit.
    if (__builtin_mul_overflow(data_bytes, std::uint64_t{d}, &data_bytes)) {
      data_bytes = UINT64_MAX;
    }
  }
  if (data_bytes > kMaxIdxDataBytes) {
    throw Error(path + ": header claims shape " + claimed + " of " + type_name(array.type) +
                " (" + (data_bytes == UINT64_MAX ? std::string("over 2^64") :
                        std::to_string(data_bytes)) +
                " bytes), more than the " + std::to_string(kMaxIdxDataBytes >> 30) +
                " GiB limit; the header is corrupt or this is not an IDX file");
  }
  return data_bytes;
}

}  // namespace

IdxArray read_idx_header(const std::string& path) {
  ByteSource source(path);
  IdxArray array;
  read_header(source, path, array);
  return array;
}

IdxArray read_idx(const std::string& path) {
  ByteSource source(path);
  IdxArray array;
  const std::uint64_t data_bytes = read_header(source, path, array);
  const std::uint64_t header = array.header_bytes();
  std::string claimed;
  for (std::size_t i = 0; i < array.dims.size(); ++i) claimed += (i ? " x " : "") + std::to_string(array.dims[i]);
  if (!source.gzipped() && source.file_size() != header + data_bytes) {
    const std::uint64_t size = source.file_size();
    if (size < header + data_bytes) {
      throw Error(path + ": truncated: header (" + claimed + " " + type_name(array.type) +
                  ") implies " + std::to_string(header + data_bytes) + " bytes, file has " +
                  std::to_string(size) + " (ends at offset " + std::to_string(size) +
                  ", data should end at offset " + std::to_string(header + data_bytes) + ")");
    }
    throw Error(path + ": " + std::to_string(size - header - data_bytes) +
                " trailing bytes after the data, which ends at offset " +
                std::to_string(header + data_bytes) + " (file has " + std::to_string(size) +
                " bytes)");
  }

  // For gzip the true size is only known by reading, so grow in chunks as data arrives: a
  // small file with a lying header fails at its end instead of allocating the claim.
  const std::size_t chunk = 1 << 20;
  while (array.bytes.size() < data_bytes) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(chunk, data_bytes - array.bytes.size()));
    const std::size_t before = array.bytes.size();
    array.bytes.resize(before + want);
    const std::size_t got = source.read(array.bytes.data() + before, want);
    source.advance(got);
    if (got != want) {
      throw Error(path + ": truncated: header (" + claimed + " " + type_name(array.type) +
                  ") implies " + std::to_string(data_bytes) + " data bytes after the " +
                  std::to_string(header) + "-byte header, stream ends at offset " +
                  std::to_string(source.offset()) + (source.gzipped() ? " (decompressed)" : ""));
    }
  }
  if (source.gzipped()) {
    // Reading on to the stream's end also makes zlib check the gzip CRC32 and length.
    unsigned char extra[4096];
    std::uint64_t trailing = 0;
    for (std::size_t got; (got = source.read(extra, sizeof extra)) > 0;) trailing += got;
    if (trailing) {
      throw Error(path + ": " + std::to_string(trailing) +
                  " trailing bytes after the data, which ends at offset " +
                  std::to_string(header + data_bytes) + " (decompressed)");
    }
    if (const std::uint64_t after = source.bytes_after_stream()) {
      throw Error(path + ": " + std::to_string(after) + " bytes after the end of the gzip stream (the file has " +
                  std::to_string(source.file_size()) + " bytes)");
    }
  }
  swap_to_native(array.bytes, type_size(array.type));
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
  if (array.bytes.size() != array.count() * element_size) {
    throw Error(path + ": IDX array holds " + std::to_string(array.bytes.size()) +
                " bytes, its shape " + array.shape_string() + " needs " +
                std::to_string(array.count() * element_size));
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
