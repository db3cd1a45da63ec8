// `mnisttrain predict MODEL --images F`: class probabilities and the predicted class for each
// selected image, with the image drawn.
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "data/dataset.h"
#include "data/digit_image.h"
#include "data/render.h"
#include "text/format.h"
#include "train/config_data.h"
#include "train/predict.h"
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
  bool show = false;
};

int run_predict(const PredictFlags& flags) {
  train::SavedModel saved = train::load_model(flags.model);
  // A PGM or PNG is your own digit, converted the MNIST way (and upright already); anything
  // else is read as IDX, as the model's training data was.
  const data::Dataset images = data::is_picture_file(flags.images)
                                   ? data::picture_dataset(flags.images)
                                   : train::load_unlabelled(saved.config.data, flags.images);
  const std::vector<train::Prediction> predictions =
      train::predict(*saved.network, images, flags.images, flags.index, flags.count);
  const std::vector<std::string>& names = saved.config.data.class_names;
  nlohmann::json all = nlohmann::json::array();
  for (const train::Prediction& p : predictions) {
    if (flags.json) {
      all.push_back({{"index", p.index}, {"predicted", p.predicted}, {"probabilities", p.probabilities}});
      if (!names.empty()) all.back()["name"] = names[p.predicted];
      // stdout stays JSON; what the network saw goes to stderr.
      if (flags.show) std::fputs(data::render_image(images.image(p.index), images.rows, images.cols).c_str(), stderr);
      continue;
    }
    std::printf("image %zu: predicted %s (p = %.4f)\n", p.index, text::class_label(p.predicted, names).c_str(),
                p.probabilities[p.predicted]);
    std::fputs(data::render_image(images.image(p.index), images.rows, images.cols).c_str(), stdout);
    for (std::size_t c = 0; c < p.probabilities.size(); ++c) {
      const float probability = p.probabilities[c];
      std::printf("  %2zu  %.4f  %s\n", c, probability,
                  std::string(static_cast<std::size_t>(probability * 40 + 0.5), '#').c_str());
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
  sub->add_option("--images", flags->images, "IDX image file, or your own digit as a PGM or PNG picture of any size")->required();
  sub->add_option("--index", flags->index, "first image");
  sub->add_option("--count", flags->count, "number of images")->check(integer_at_least(1));
  sub->add_flag("--json", flags->json, "print a JSON array instead");
  sub->add_flag("--show", flags->show, "with --json, also draw what the network saw (on stderr)");
  return [flags] { return run_predict(*flags); };
}

}  // namespace mnisttrain::cli
