// Writing and checking the model-file container; see model_file.h.
#include "io/model_file.h"

#include "error.h"
#include "io/atomic_file.h"
#include "io/input_file.h"
#include "io/json_text.h"
#include "io/quote.h"

#include <zlib.h>

#include <cstring>

namespace mnisttrain::io {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "model files store little-endian floats by memcpy");
static_assert(sizeof(float) == 4, "model files store IEEE-754 binary32");

static void put_u32(std::string& out, std::uint32_t v) {
  char bytes[4];
  std::memcpy(bytes, &v, 4);
  out.append(bytes, 4);
}

static std::uint32_t get_u32(const std::string& in, std::size_t offset) {
  std::uint32_t v;
  std::memcpy(&v, in.data() + offset, 4);
  return v;
}

static std::size_t padded(std::size_t n) {
  return (n + kModelAlignment - 1) / kModelAlignment * kModelAlignment;
}

const std::vector<float>& ModelFile::array(const std::string& name, const std::string& path) const {
  for (const auto& a : arrays) {
    if (a.name == name) return a.values;
  }
  throw Error(path + ": header: no array named \"" + name + "\"");
}

void save_model_file(const std::string& path, nlohmann::json header,
                     const std::vector<ArrayToSave>& arrays) {
  header["arrays"] = nlohmann::json::array();
  for (const auto& a : arrays) header["arrays"].push_back({{"name", a.name}, {"count", a.count}});
  const std::string text = header.dump();
  // The loader's limit, enforced here so that nothing is written that cannot be read back.
  if (text.size() > kMaxHeaderBytes) {
    throw Error(path + ": the JSON header would be " + std::to_string(text.size()) +
                " bytes, more than the " + std::to_string(kMaxHeaderBytes) + " a model file allows");
  }
  std::string head(kModelMagic, sizeof kModelMagic);
  put_u32(head, kModelFormatVersion);
  put_u32(head, static_cast<std::uint32_t>(text.size()));
  head += text;
  head.resize(padded(head.size()), '\0');
  std::vector<std::string_view> pieces = {head};
  for (const auto& a : arrays) {
    // An empty array adds no bytes and may have no storage (zlib takes a null pointer as "start over").
    if (a.count > 0) pieces.emplace_back(reinterpret_cast<const char*>(a.values), a.count * sizeof(float));
  }
  uLong crc = crc32_z(0L, Z_NULL, 0);
  for (const std::string_view piece : pieces) {
    crc = crc32_z(crc, reinterpret_cast<const Bytef*>(piece.data()), piece.size());
  }
  std::string tail;
  put_u32(tail, static_cast<std::uint32_t>(crc));
  pieces.push_back(tail);
  write_file_atomic(path, pieces);
}

ModelFile load_model_file(const std::string& path) {
  const std::string bytes = read_regular_file(path, "a model or checkpoint file", kMaxModelFileBytes);

  const std::size_t size = bytes.size();
  if (size < 16 + 4) {
    throw Error(path + ": truncated: " + std::to_string(size) +
                " bytes, a model file has at least 20 (16-byte preamble + 4-byte CRC)");
  }
  if (std::memcmp(bytes.data(), kModelMagic, sizeof kModelMagic) != 0) {
    throw Error(path + ": not a mnisttrain model file: magic at offset 0 is \"" +
                escaped(bytes.substr(0, 8)) + "\", expected \"MNISTTRN\"");
  }
  const std::uint32_t version = get_u32(bytes, 8);
  if (version != kModelFormatVersion) {
    throw Error(path + ": format version " + std::to_string(version) +
                " at offset 8 is not supported (this build reads version " +
                std::to_string(kModelFormatVersion) + ")");
  }
  const std::uint32_t header_length = get_u32(bytes, 12);
  if (header_length > kMaxHeaderBytes || 16 + std::size_t{header_length} + 4 > size) {
    throw Error(path + ": header length " + std::to_string(header_length) +
                " at offset 12 does not fit the file's " + std::to_string(size) + " bytes");
  }
  // The CRC covers everything, so check it before trusting any header field.
  const std::uint32_t stored = get_u32(bytes, size - 4);
  const auto computed = static_cast<std::uint32_t>(
      crc32_z(0L, reinterpret_cast<const Bytef*>(bytes.data()), size - 4));
  if (stored != computed) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "CRC32 mismatch: stored 0x%08X at offset %zu, computed 0x%08X",
                  stored, size - 4, computed);
    throw Error(path + ": " + buf + " (the file is corrupt or truncated)");
  }

  ModelFile file;
  file.header = parse_json_text(bytes.substr(16, header_length), path + ": JSON header at offset 16");
  if (!file.header.is_object() || !file.header.contains("arrays") || !file.header["arrays"].is_array()) {
    throw Error(path + ": header: missing \"arrays\" list");
  }
  std::size_t offset = padded(16 + header_length);
  if (offset > size - 4) {
    throw Error(path + ": truncated: the header's padding ends at offset " + std::to_string(offset) +
                ", past the CRC at offset " + std::to_string(size - 4));
  }
  for (const auto& entry : file.header["arrays"]) {
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() ||
        !entry.contains("count") || !entry["count"].is_number_unsigned()) {
      throw Error(path + ": header: arrays entry " + shown_json(entry) + " needs a name and a count");
    }
    const auto count = entry["count"].get<std::uint64_t>();
    if (count > (size - 4 - offset) / sizeof(float)) {
      throw Error(path + ": array \"" + entry["name"].get<std::string>() + "\" of " +
                  std::to_string(count) + " floats at offset " + std::to_string(offset) +
                  " runs past the data, which ends at offset " + std::to_string(size - 4));
    }
    for (const NamedArray& earlier : file.arrays) {
      if (earlier.name == entry["name"].get<std::string>()) {
        throw Error(path + ": header: array \"" + earlier.name + "\" is listed twice");
      }
    }
    NamedArray array{entry["name"].get<std::string>(), std::vector<float>(count)};
    // An empty array (SGD without momentum has no optimizer state) has no data pointer.
    if (count > 0) std::memcpy(array.values.data(), bytes.data() + offset, count * sizeof(float));
    offset += count * sizeof(float);
    file.arrays.push_back(std::move(array));
  }
  if (offset != size - 4) {
    throw Error(path + ": " + std::to_string(size - 4 - offset) +
                " unexpected bytes between the arrays' end at offset " + std::to_string(offset) +
                " and the CRC");
  }
  return file;
}

}  // namespace mnisttrain::io
