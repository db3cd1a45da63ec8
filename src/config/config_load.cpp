// Reads a config file: file-system and JSON syntax problems become an Error naming the file
// (regular files of at most kMaxConfigBytes only; nesting depth and duplicate keys are checked
// while parsing), and relative data paths in it resolve against the file's folder.
#include "config/config.h"

#include "io/input_file.h"
#include "io/json_text.h"

#include <filesystem>
#include <string>

namespace mnisttrain::config {

Config load_config(const std::string& path, Purpose purpose) {
  const std::string text = io::read_regular_file(path, "a config file", kMaxConfigBytes);
  const nlohmann::json document = io::parse_json_text(text, path);
  return parse_config(document, path, std::filesystem::path(path).parent_path().string(),
                      purpose);
}

}  // namespace mnisttrain::config
