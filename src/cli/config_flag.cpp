// The --config and --data flags' meaning; see config_flag.h.
#include "cli/config_flag.h"

#include "data/mnist_files.h"
#include "error.h"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace mnisttrain::cli {

namespace fs = std::filesystem;

config::Config config_from_flag(const std::string& path, config::Purpose purpose) {
  return path.empty() ? config::default_config() : config::load_config(path, purpose);
}

namespace {

std::string how_resolved(const config::Config& config, const std::string& data_dir) {
  if (!data_dir.empty()) return "from --data " + data_dir;
  if (config.source == config::default_config().source) {
    return "the built-in config's paths are relative to the working directory " + fs::current_path().string();
  }
  return "relative paths in " + config.source + " are relative to its folder " +
         data::absolute_path(fs::path(config.source).parent_path().string());
}

void require_file(const std::string& path, const std::string& how) {
  std::error_code ignored;
  if (fs::is_regular_file(path, ignored)) return;
  throw Error(path + ": cannot open: no such file (looked at " + data::absolute_path(path) + "; " + how +
              "). Fix: run scripts/fetch_mnist.sh in the repository, or pass --data DIR (a folder with the "
              "four MNIST files, plain or .gz), or --config FILE naming the data");
}

}  // namespace

void resolve_data_paths(config::Config& config, const std::string& data_dir) {
  config::DataConfig& paths = config.data;
  if (!data_dir.empty()) {
    const data::MnistFiles files = data::find_mnist_files(data_dir);
    paths.train_images = files.train_images;
    paths.train_labels = files.train_labels;
    paths.test_images = files.test_images;
    paths.test_labels = files.test_labels;
  }
  const std::string how = how_resolved(config, data_dir);
  for (std::string* path : {&paths.train_images, &paths.train_labels, &paths.test_images, &paths.test_labels}) {
    require_file(*path, how);
    *path = data::absolute_path(*path);
    spdlog::debug("data file {} ({})", *path, how);
  }
}

}  // namespace mnisttrain::cli
