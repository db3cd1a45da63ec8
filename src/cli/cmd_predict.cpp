// `mnisttrain predict MODEL --images F`: class probabilities and the predicted class for each
// selected image, with the image drawn.
#include "cli/commands.h"
#include "data/idx.h"
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
  const data::IdxArray images = data::read_idx(flags.images);
  const std::size_t features = images.dims.size() > 1 ? images.count() / images.dims[0] : 0;
  if (images.type != data::IdxType::UInt8 || features != net.input_features()) {
    throw Error(flags.images + ": expected uint8 images of " + std::to_string(net.input_features()) +
                " pixels each, found " + data::type_name(images.type) + " " + images.shape_string());
  }
  const std::size_t n = images.dims[0];
  if (flags.index >= n || flags.count > n - flags.index) {
    throw Error(flags.images + ": --index " + std::to_string(flags.index) + " --count " +
                std::to_string(flags.count) + " is outside the " + std::to_string(n) + " images");
  }
  const int rows = images.dims.size() == 3 ? static_cast<int>(images.dims[1]) : 1;
  const int cols = static_cast<int>(images.dims.back());
  std::vector<float> x(flags.count * features);
  for (std::size_t k = 0; k < x.size(); ++k) {
    x[k] = static_cast<float>(images.bytes[flags.index * features + k]) / 255.0f;
  }
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
    std::fputs(data::render_image(images.bytes.data() + i * features, rows, cols).c_str(), stdout);
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
