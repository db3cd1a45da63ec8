// Describing a network without training it; see describe.h.
#include "train/describe.h"

#include "data/dataset.h"

#include <filesystem>

namespace mnisttrain::train {

std::vector<int> input_shape_for(const config::Config& config) {
  std::error_code ignored;
  if (std::filesystem::exists(config.data.train_images, ignored)) {
    return data::image_shape(config.data.train_images);
  }
  return config.model.input_shape.empty() ? std::vector<int>{28, 28} : config.model.input_shape;
}

}  // namespace mnisttrain::train
