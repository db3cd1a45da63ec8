// `mnisttrain predict MODEL --images F`: class probabilities and the predicted class for each
// selected image, with the image drawn.
#include "cli/commands.h"
#include "cli/format.h"
#include "data/batches.h"
#include "data/dataset.h"
#include "data/render.h"
#include "error.h"
#include "nn/loss.h"
#include "train/saved_model.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

namespace mnisttrain::cli {

namespace {

struct PredictFlags {
  std::string model;
  std::string images;
  std::size_t index = 0;
  std::size_t count = 1;
  bool json = false;
};

int run_predict(const PredictFlags& flags) {
  train::SavedModel saved = train::load_model(flags.model);
  nn::Network& net = *saved.network;
  const data::Dataset images = data::load_images(flags.images);
  const std::size_t features = images.features();
  if (features != net.input_features()) {
    throw Error(flags.images + ": images have " + std::to_string(features) + " pixels, the model expects " +
                std::to_string(net.input_features()));
  }
  check_selection(flags.images, flags.index, flags.count, images.count);
  std::vector<float> x(flags.count * features);
  data::scale_pixels(images.image(flags.index), x.size(), x.data());
  net.reserve(flags.count);
  const float* out = net.forward(x.data(), flags.count, false);
  const std::size_t C = net.output_features();
  nlohmann::json all = nlohmann::json::array();
  for (std::size_t r = 0; r < flags.count; ++r) {
    const std::size_t i = flags.index + r;
    const float* p = out + r * C;
    const std::size_t predicted = nn::argmax_row(p, C);
    if (flags.json) {
      all.push_back({{"index", i}, {"predicted", predicted}, {"probabilities", std::vector<float>(p, p + C)}});
      continue;
    }
    std::printf("image %zu: predicted %zu (p = %.4f)\n", i, predicted, p[predicted]);
    std::fputs(data::render_image(images.image(i), images.rows, images.cols).c_str(), stdout);
    for (std::size_t c = 0; c < C; ++c) {
      std::printf("  %2zu  %.4f  %s\n", c, p[c], std::string(static_cast<std::size_t>(p[c] * 40 + 0.5), '#').c_str());
    }
  }
  if (flags.json) std::printf("%s\n", all.dump().c_str());
  return 0;
}

}  // namespace

CommandAction add_predict(CLI::App& app, CLI::App*& sub) {
  auto flags = std::make_shared<PredictFlags>();
  sub = app.add_subcommand("predict", "Class probabilities and the predicted class for images");
  sub->add_option("model", flags->model, "model.bin written by train")->required();
  sub->add_option("--images", flags->images, "IDX image file")->required();
  sub->add_option("--index", flags->index, "first image");
  sub->add_option("--count", flags->count, "number of images")->check(CLI::PositiveNumber);
  sub->add_flag("--json", flags->json, "print a JSON array instead");
  return [flags] { return run_predict(*flags); };
}

}  // namespace mnisttrain::cli
