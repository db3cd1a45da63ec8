// The container behind model.bin and checkpoint.bin (byte layout in README.md):
//   0        8 bytes   magic "MNISTTRN"
//   8        uint32    format version (1)
//   12       uint32    header length H
//   16       H bytes   JSON header (architecture, shapes, config, and "arrays")
//   16+H     zero padding to a multiple of 64 bytes, so the floats are aligned
//   P        float32   the arrays named in header["arrays"], back to back
//   end-4    uint32    CRC32 (zlib) of every byte before it
// All integers and floats little-endian. Loading checks magic, version, sizes and the CRC, and
// says which check failed and where.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mnisttrain::io {

constexpr char kModelMagic[8] = {'M', 'N', 'I', 'S', 'T', 'T', 'R', 'N'};
constexpr std::uint32_t kModelFormatVersion = 1;
constexpr std::size_t kModelAlignment = 64;
constexpr std::uint32_t kMaxHeaderBytes = 16u << 20;
// The largest file the loader reads: a checkpoint of the largest network (2^28 parameters, two
// optimizer moments and the best weights: 4 GiB of floats) plus the largest header.
constexpr std::uint64_t kMaxModelFileBytes = (std::uint64_t{4} << 30) + (std::uint64_t{32} << 20);

struct NamedArray {
  std::string name;
  std::vector<float> values;
};

struct ModelFile {
  nlohmann::json header;  // as stored, including "arrays"
  std::vector<NamedArray> arrays;

  const std::vector<float>& array(const std::string& name, const std::string& path) const;
};

// An array to save, read where it lies (a network's or optimizer's own buffer, not a copy).
struct ArrayToSave {
  ArrayToSave(std::string name, const std::vector<float>& values)
      : name(std::move(name)), values(values.data()), count(values.size()) {}
  // A temporary would be gone before the file is written.
  ArrayToSave(std::string name, std::vector<float>&& values) = delete;
  explicit ArrayToSave(const NamedArray& array) : ArrayToSave(array.name, array.values) {}
  std::string name;
  const float* values;
  std::size_t count;
};

// header must be a JSON object; its "arrays" entry is written from `arrays`.
// A loaded file's arrays are saved again as {file.arrays.begin(), file.arrays.end()}.
void save_model_file(const std::string& path, nlohmann::json header,
                     const std::vector<ArrayToSave>& arrays);
ModelFile load_model_file(const std::string& path);

}  // namespace mnisttrain::io
