// libFuzzer target: reading a config file (size cap, JSON depth and duplicate keys) and the
// one validator every command uses.
#include "config/config.h"
#include "error.h"
#include "fuzz_input.h"

using namespace mnisttrain;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = fuzz::scratch_path("config") + ".json";
  fuzz::write_bytes(path, data, size);
  try {
    const config::Config config = config::load_config(path);
    // What every command does next with a valid config: its JSON form must parse again.
    config::parse_config(config::to_json(config), path, "");
  } catch (const Error&) {
  }
  return 0;
}
