// Reading data as a config says; see config_data.h.
#include "train/config_data.h"

#include <utility>

namespace mnisttrain::train {

namespace {

// The one place that decides how stored images become the images a network sees.
data::Dataset upright(data::Dataset set, const config::DataConfig& data) {
  if (data.transpose) data::transpose_images(set);
  return set;
}

}  // namespace

data::Dataset load_labelled(const config::DataConfig& data, const std::string& images_path,
                            const std::string& labels_path) {
  return upright(data::load_dataset(images_path, labels_path, data.num_classes), data);
}

data::Dataset load_first_labelled(const config::DataConfig& data, const std::string& images_path,
                                  const std::string& labels_path, std::size_t count) {
  return upright(data::load_first(images_path, labels_path, count, data.num_classes), data);
}

data::Dataset load_unlabelled(const config::DataConfig& data, const std::string& images_path) {
  return upright(data::load_images(images_path), data);
}

std::vector<int> loaded_image_shape(const config::DataConfig& data, const std::string& images_path) {
  // A set of no images of the file's shape, turned as its images would be.
  const std::vector<int> stored = data::image_shape(images_path);
  data::Dataset shape;
  shape.rows = stored[0];
  shape.cols = stored[1];
  shape = upright(std::move(shape), data);
  return {shape.rows, shape.cols};
}

}  // namespace mnisttrain::train
