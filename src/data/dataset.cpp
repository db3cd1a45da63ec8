// Loading and splitting labelled image sets; see dataset.h.
#include "data/dataset.h"

#include "data/idx.h"
#include "error.h"
#include "random.h"

#include <algorithm>
#include <cstdio>

namespace mnisttrain::data {

static std::string magic_string(const IdxArray& array) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", array.magic());
  return buf;
}

// Everything about an image file that its header alone decides, checked before any pixel is
// read or inflated: rank, element type, sides up to 65535, no zero side, and an image size the
// network can take (a hostile 4 MB gzip may claim one 65535 x 65535 image).
static void check_image_header(const IdxArray& images, const std::string& path) {
  if (images.dims.size() == 1) {
    throw Error(path + ": expected an image file (3 dimensions, magic 0x00000803), found " +
                "1 dimension (magic " + magic_string(images) + "): is this a label file?");
  }
  if (images.dims.size() > 3) {
    throw Error(path + ": expected images of shape (N, rows, cols), found " +
                std::to_string(images.dims.size()) + " dimensions " + images.shape_string());
  }
  if (images.type != IdxType::UInt8) {
    throw Error(path + ": element type " + type_name(images.type) + " (magic " +
                magic_string(images) + "): the trainer reads uint8 pixels (type byte 0x08)");
  }
  std::uint64_t pixels = 1;
  for (std::size_t d = 1; d < images.dims.size(); ++d) {
    if (images.dims[d] > 65535) {
      throw Error(path + ": image dimension " + std::to_string(d) + " is " +
                  std::to_string(images.dims[d]) + " (at byte offset " + std::to_string(4 + 4 * d) +
                  "), more than 65535");
    }
    if (images.dims[d] == 0) {
      throw Error(path + ": image dimension " + std::to_string(d) + " is 0 (at byte offset " +
                  std::to_string(4 + 4 * d) + "): images must have at least one pixel");
    }
    pixels *= images.dims[d];  // two sides up to 65535: no overflow
  }
  if (pixels > kMaxImagePixels) {
    throw Error(path + ": header claims images of shape " + images.shape_string() + ", " +
                std::to_string(pixels) + " pixels each, more than the " +
                std::to_string(kMaxImagePixels) + " (4096 x 4096) this tool trains on");
  }
}

static std::vector<int> shape_of(const IdxArray& images) {
  return {images.dims.size() == 3 ? static_cast<int>(images.dims[1]) : 1,
          static_cast<int>(images.dims.back())};
}

std::vector<int> image_shape(const std::string& images_path) {
  const IdxArray header = read_idx_header(images_path);
  check_image_header(header, images_path);
  return shape_of(header);
}

Dataset load_images(const std::string& images_path) {
  IdxReader reader(images_path);
  check_image_header(reader.header(), images_path);
  Dataset set;
  set.count = reader.header().dims[0];
  const std::vector<int> shape = shape_of(reader.header());
  set.rows = shape[0];
  set.cols = shape[1];
  set.images = reader.read_all();
  return set;
}

// A label file's header, against the image file's count.
static void check_label_header(const IdxArray& labels, const std::string& labels_path,
                               std::size_t images, const std::string& images_path) {
  if (labels.dims.size() != 1) {
    throw Error(labels_path + ": expected a label file (1 dimension, magic 0x00000801), found " +
                std::to_string(labels.dims.size()) + " dimensions (magic " +
                magic_string(labels) + ")" + (labels.dims.size() == 3 ? ": is this an image file?" : ""));
  }
  if (labels.type != IdxType::UInt8) {
    throw Error(labels_path + ": element type " + type_name(labels.type) + " (magic " +
                magic_string(labels) + "): labels must be uint8 (type byte 0x08)");
  }
  if (labels.dims[0] != images) {
    throw Error(labels_path + ": holds " + std::to_string(labels.dims[0]) + " labels but " +
                images_path + " holds " + std::to_string(images) + " images");
  }
}

static void check_label_values(const std::vector<std::uint8_t>& labels,
                               const std::string& labels_path, int num_classes) {
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] >= num_classes) {
      throw Error(labels_path + ": label " + std::to_string(labels[i]) + " at index " +
                  std::to_string(i) + " (byte offset " + std::to_string(8 + i) +
                  ") is not below the class count " + std::to_string(num_classes));
    }
  }
}

Dataset load_dataset(const std::string& images_path, const std::string& labels_path,
                     int num_classes) {
  Dataset set = load_images(images_path);
  // Every use of a labelled set (training, validation, test, eval) divides by its size.
  if (set.count == 0) {
    throw Error(images_path + ": holds no images (the count at byte offset 4 is 0)");
  }
  IdxArray labels = read_idx(labels_path);
  check_label_header(labels, labels_path, set.count, images_path);
  check_label_values(labels.bytes, labels_path, num_classes);
  set.num_classes = num_classes;
  set.labels = std::move(labels.bytes);
  return set;
}

Dataset load_first(const std::string& images_path, const std::string& labels_path,
                   std::size_t count, int num_classes) {
  IdxReader images(images_path);
  check_image_header(images.header(), images_path);
  IdxReader labels(labels_path);
  check_label_header(labels.header(), labels_path, images.header().dims[0], images_path);
  Dataset set;
  const std::vector<int> shape = shape_of(images.header());
  set.rows = shape[0];
  set.cols = shape[1];
  set.count = std::min<std::size_t>(count, images.header().dims[0]);
  set.images.resize(set.count * set.features());
  images.read_data(set.images.data(), set.images.size());
  set.labels.resize(set.count);
  labels.read_data(set.labels.data(), set.labels.size());
  check_label_values(set.labels, labels_path, num_classes);
  set.num_classes = num_classes;
  return set;
}

void check_image_shape(const Dataset& set, const std::vector<int>& expected,
                       const std::string& path, const std::string& expected_by) {
  std::uint64_t features = 1;
  std::string shape;
  for (int d : expected) {
    features *= static_cast<std::uint64_t>(d);
    shape += (shape.empty() ? "" : "x") + std::to_string(d);
  }
  const std::string found = std::to_string(set.rows) + "x" + std::to_string(set.cols);
  // A flat file (N x features) carries no shape of its own, so only its size is compared.
  const bool both_shaped = set.rows != 1 && expected.size() == 2 && expected[0] != 1;
  if (set.features() != features ||
      (both_shaped && (set.rows != expected[0] || set.cols != expected[1]))) {
    throw Error(path + ": images are " + found + " (" + std::to_string(set.features()) +
                " pixels), " + expected_by + " expects " + shape + " (" +
                std::to_string(features) + " pixels)");
  }
}

Dataset take(const Dataset& data, std::size_t first, std::size_t count) {
  if (first + count > data.count) {
    throw Error("take: samples [" + std::to_string(first) + ", " + std::to_string(first + count) +
                ") exceed the " + std::to_string(data.count) + " available");
  }
  Dataset part;
  part.count = count;
  part.rows = data.rows;
  part.cols = data.cols;
  part.num_classes = data.num_classes;
  part.images.assign(data.image(first), data.image(first + count));
  part.labels.assign(data.labels.begin() + static_cast<std::ptrdiff_t>(first),
                     data.labels.begin() + static_cast<std::ptrdiff_t>(first + count));
  return part;
}

void transpose_images(Dataset& set) {
  const auto rows = static_cast<std::size_t>(set.rows);
  const auto cols = static_cast<std::size_t>(set.cols);
  // One image is copied aside at a time, so a large set is not held twice.
  std::vector<std::uint8_t> stored(set.features());
  for (std::size_t i = 0; i < set.count; ++i) {
    std::uint8_t* image = set.images.data() + i * set.features();
    std::copy(image, image + stored.size(), stored.begin());
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t c = 0; c < cols; ++c) image[c * rows + r] = stored[r * cols + c];
    }
  }
  std::swap(set.rows, set.cols);
}

Dataset split_validation(Dataset& train, double fraction) {
  if (!(fraction >= 0.0 && fraction < 1.0)) {
    throw Error("validation_split must be in [0, 1), got " + std::to_string(fraction));
  }
  const auto keep = static_cast<std::size_t>(static_cast<double>(train.count) * (1.0 - fraction));
  if (fraction > 0.0 && (keep == 0 || keep == train.count)) {
    throw Error("validation_split " + std::to_string(fraction) + " of " + std::to_string(train.count) +
                " samples leaves " + std::to_string(keep) + " for training and " +
                std::to_string(train.count - keep) + " for validation; both need at least one");
  }
  Dataset validation = take(train, keep, train.count - keep);
  train.images.resize(keep * train.features());
  train.labels.resize(keep);
  train.count = keep;
  return validation;
}

void check_selection(const std::string& path, std::size_t index, std::size_t count,
                     std::size_t total) {
  if (index >= total || count > total - index) {
    throw Error(path + ": --index " + std::to_string(index) + " --count " + std::to_string(count) +
                " is outside the " + std::to_string(total) + " images");
  }
}

Dataset random_dataset(std::size_t count, int rows, int cols, int num_classes,
                       std::uint64_t seed) {
  Dataset set;
  set.count = count;
  set.rows = rows;
  set.cols = cols;
  set.num_classes = num_classes;
  Rng rng(seed);
  for (std::size_t i = 0; i < count * set.features(); ++i) {
    set.images.push_back(static_cast<std::uint8_t>(rng.below(256)));
  }
  for (std::size_t i = 0; i < count; ++i) {
    set.labels.push_back(static_cast<std::uint8_t>(rng.below(static_cast<std::uint64_t>(num_classes))));
  }
  return set;
}

}  // namespace mnisttrain::data
