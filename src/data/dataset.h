// A labelled image set as it sits on disk: uint8 pixels (N x rows x cols) and uint8 labels.
// Pixels stay bytes in memory (60,000 MNIST images are 47 MB, not 188 MB of floats); the batch
// iterator converts one batch at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mnisttrain::data {

struct Dataset {
  std::vector<std::uint8_t> images;  // count * rows * cols, row-major
  std::vector<std::uint8_t> labels;  // count class indices, each < num_classes
  std::size_t count = 0;
  int rows = 0;
  int cols = 0;
  int num_classes = 10;

  std::size_t features() const { return static_cast<std::size_t>(rows) * cols; }
  const std::uint8_t* image(std::size_t index) const { return images.data() + index * features(); }
};

// The largest image the loaders accept, decided from the IDX header before reading pixels.
constexpr std::uint64_t kMaxImagePixels = std::uint64_t{1} << 24;

// Loads an image file alone (uint8, rank 3, or rank 2 as N x features); labels stay empty.
Dataset load_images(const std::string& images_path);

// (rows, cols) of an image file from its header alone, checked as load_images checks it.
std::vector<int> image_shape(const std::string& images_path);

// Loads an image file and a label file and checks they belong together: uint8 images of rank
// 3 (or 2: N x features), rank-1 uint8 labels, equal counts, every label below num_classes.
Dataset load_dataset(const std::string& images_path, const std::string& labels_path,
                     int num_classes);

// The first `count` samples (fewer when the files hold fewer), with load_dataset's checks of
// the headers and of these labels, reading nothing after them: a report shows a few digits.
Dataset load_first(const std::string& images_path, const std::string& labels_path,
                   std::size_t count, int num_classes);
// Refuses images of another shape than `expected` (rows, cols), even with the same pixel
// count: 14x56 images fed to a 28x28 network would run and give meaningless numbers. A flat
// file (N x features) is compared by its size alone. expected_by names the other side.
void check_image_shape(const Dataset& set, const std::vector<int>& expected,
                       const std::string& path, const std::string& expected_by);

// Keras's validation_split: moves the LAST fraction of `train` (before any shuffling) into the
// returned set. Keras keeps int(count * (1 - fraction)) samples for training.
Dataset split_validation(Dataset& train, double fraction);

// Throws unless images [index, index + count) exist among `total` in `path`.
void check_selection(const std::string& path, std::size_t index, std::size_t count,
                     std::size_t total);

// `count` images of rows x cols with uniformly random pixels and labels below num_classes,
// all drawn from `seed`: data of the right shape when no real data is at hand.
Dataset random_dataset(std::size_t count, int rows, int cols, int num_classes,
                       std::uint64_t seed);

// Samples [first, first + count) as a new set, e.g. for quick runs and tests.
Dataset take(const Dataset& data, std::size_t first, std::size_t count);

// Swaps every image's rows and columns (rows x cols becomes cols x rows): EMNIST stores its
// images transposed, and this turns them upright.
void transpose_images(Dataset& set);

}  // namespace mnisttrain::data
