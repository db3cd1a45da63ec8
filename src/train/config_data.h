// The data files a config's `data` section names, read the way that section says. Training,
// eval, predict on IDX files, the report and summary all read through here, so a model sees
// its data as it was trained on it: with data.transpose, every image is turned upright after
// loading (EMNIST stores its images transposed).
#pragma once

#include "config/config.h"
#include "data/dataset.h"

#include <cstddef>
#include <string>
#include <vector>

namespace mnisttrain::train {

// data::load_dataset, as `data` says to read it.
data::Dataset load_labelled(const config::DataConfig& data, const std::string& images_path,
                            const std::string& labels_path);
// data::load_first, as `data` says to read it: a look at the first few samples.
data::Dataset load_first_labelled(const config::DataConfig& data, const std::string& images_path,
                                  const std::string& labels_path, std::size_t count);
// data::load_images (no labels), as `data` says to read it.
data::Dataset load_unlabelled(const config::DataConfig& data, const std::string& images_path);
// The (rows, cols) the loaders above give for this file, from its header alone.
std::vector<int> loaded_image_shape(const config::DataConfig& data, const std::string& images_path);

}  // namespace mnisttrain::train
