// Finding the standard MNIST names in a folder; see mnist_files.h.
#include "data/mnist_files.h"

#include "error.h"

#include <filesystem>

namespace mnisttrain::data {

namespace fs = std::filesystem;

namespace {

// `dir/name` or `dir/name.gz`, whichever exists; "" when neither does.
std::string find_one(const fs::path& dir, const std::string& name, std::string& missing) {
  std::error_code ignored;
  for (const std::string& candidate : {name, name + ".gz"}) {
    if (fs::is_regular_file(dir / candidate, ignored)) return (dir / candidate).lexically_normal().string();
  }
  missing += (missing.empty() ? "" : ", ") + name + "[.gz]";
  return "";
}

}  // namespace

MnistFiles find_mnist_files(const std::string& dir) {
  std::error_code ignored;
  if (!fs::is_directory(dir, ignored)) throw Error(dir + ": --data needs a folder, and this is not one");
  std::string missing;
  MnistFiles files;
  files.train_images = find_one(dir, "train-images-idx3-ubyte", missing);
  files.train_labels = find_one(dir, "train-labels-idx1-ubyte", missing);
  files.test_images = find_one(dir, "t10k-images-idx3-ubyte", missing);
  files.test_labels = find_one(dir, "t10k-labels-idx1-ubyte", missing);
  if (!missing.empty()) {
    throw Error(dir + ": missing " + missing +
                " (a --data folder holds the four standard MNIST file names, plain or .gz)");
  }
  return files;
}

std::string absolute_path(const std::string& path) {
  std::error_code error;
  const fs::path absolute = fs::absolute(path, error);
  return error ? path : absolute.lexically_normal().string();
}

}  // namespace mnisttrain::data
