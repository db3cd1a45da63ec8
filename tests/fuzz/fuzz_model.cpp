// libFuzzer target: the model-file container and the model.bin and checkpoint.bin loaders.
// The CRC32 trailer is recomputed over each input, so mutations reach the header checks
// instead of all failing at the checksum.
#include "error.h"
#include "fuzz_input.h"
#include "train/checkpoint.h"
#include "train/saved_model.h"

#include <zlib.h>

#include <cstring>
#include <vector>

using namespace mnisttrain;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = fuzz::scratch_path("model");
  std::vector<std::uint8_t> bytes(data, data + size);
  if (bytes.size() >= 20) {
    const auto crc = static_cast<std::uint32_t>(crc32_z(0L, bytes.data(), bytes.size() - 4));
    std::memcpy(bytes.data() + bytes.size() - 4, &crc, 4);
  }
  fuzz::write_bytes(path, bytes.data(), bytes.size());
  try {
    train::load_model(path);
  } catch (const Error&) {
  }
  try {
    train::load_checkpoint(path);
  } catch (const Error&) {
  }
  return 0;
}
