// The four standard MNIST file names (as Yann LeCun's site and every mirror spell them, also
// used by Fashion-MNIST and KMNIST), plain or gzipped, found in one folder: what `--data DIR`
// points at.
#pragma once

#include <string>

namespace mnisttrain::data {

struct MnistFiles {
  std::string train_images;
  std::string train_labels;
  std::string test_images;
  std::string test_labels;
};

// Each standard name in `dir`, as is or with ".gz" (the plain file wins when both exist).
// Throws an Error naming every file that is missing and the names it looked for.
MnistFiles find_mnist_files(const std::string& dir);

// Absolute and normalised: what a model records so that it resolves from any folder.
std::string absolute_path(const std::string& path);

}  // namespace mnisttrain::data
