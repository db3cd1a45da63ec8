// Reads a config file: file-system and JSON syntax problems become an Error naming the file,
// and relative data paths in it resolve against the file's folder.
#include "config/config.h"

#include "error.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace mnisttrain::config {

Config load_config(const std::string& path, Purpose purpose) {
  namespace fs = std::filesystem;
  // Opening a directory succeeds on Linux and only reading fails, with a vaguer message.
  std::error_code ignored;
  if (fs::is_directory(path, ignored)) throw Error(path + ": is a directory, not a config file");
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(path + ": cannot open: " + (errno != 0 ? std::strerror(errno) : "unknown error"));
  }
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw Error(path + ": cannot read: " + std::strerror(errno));

  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix; keep its line and column.
    std::string what = e.what();
    const std::size_t end = what.find("] ");
    if (end != std::string::npos) what = what.substr(end + 2);
    const auto* syntax = dynamic_cast<const nlohmann::json::parse_error*>(&e);
    const std::string where = syntax ? " at byte " + std::to_string(syntax->byte) : "";
    throw Error(path + ": invalid JSON" + where + ": " + what);
  }
  return parse_config(document, path, fs::path(path).parent_path().string(), purpose);
}

}  // namespace mnisttrain::config
