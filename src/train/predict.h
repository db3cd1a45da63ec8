// Inference: what `predict` (and anything else that classifies images) runs. Pixels are
// scaled as in training (x = pixel / 255), the network runs forward with dropout off, and the
// outputs are the class probabilities (from the softmax the network ends in).
#pragma once

#include "data/dataset.h"
#include "nn/network.h"

#include <cstddef>
#include <string>
#include <vector>

namespace mnisttrain::train {

struct Prediction {
  std::size_t index = 0;             // the image's index in its file
  std::size_t predicted = 0;         // argmax of the probabilities
  std::vector<float> probabilities;  // one per class
};

// Images [first, first + count) of `images` (read from `path`, named in messages); refuses a
// selection outside the file or images of another size than the network takes.
std::vector<Prediction> predict(nn::Network& network, const data::Dataset& images,
                                const std::string& path, std::size_t first, std::size_t count);

}  // namespace mnisttrain::train
