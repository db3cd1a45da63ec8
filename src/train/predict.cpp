// Inference on selected images; see predict.h.
#include "train/predict.h"

#include "data/batches.h"
#include "data/dataset.h"
#include "error.h"
#include "nn/loss.h"

namespace mnisttrain::train {

std::vector<Prediction> predict(nn::Network& network, const data::Dataset& images,
                                const std::string& path, std::size_t first, std::size_t count) {
  data::check_image_shape(images, network.input_shape(), path, "the model");
  const std::size_t features = images.features();
  data::check_selection(path, first, count, images.count);
  std::vector<float> x(count * features);
  data::scale_pixels(images.image(first), x.size(), x.data());
  network.reserve(count);
  const float* out = network.forward(x.data(), count, false);
  const std::size_t C = network.output_features();
  std::vector<Prediction> predictions(count);
  for (std::size_t r = 0; r < count; ++r) {
    const float* p = out + r * C;
    predictions[r] = {first + r, nn::argmax_row(p, C), std::vector<float>(p, p + C)};
  }
  return predictions;
}

}  // namespace mnisttrain::train
