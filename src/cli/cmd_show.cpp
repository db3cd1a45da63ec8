// `mnisttrain show`: draws images in the terminal (what the notes do with matplotlib), or
// writes them as PGM files.
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "data/dataset.h"
#include "data/render.h"
#include "error.h"
#include "io/atomic_file.h"

#include <cstdio>
#include <memory>
#include <string>

namespace mnisttrain::cli {

namespace {

struct ShowOptions {
  std::string images;
  std::string labels;
  std::size_t index = 0;
  std::size_t count = 1;
  bool ascii = false;
  std::string pgm;
};

// "digit.pgm" with several images becomes "digit_7.pgm", "digit_8.pgm", ...
std::string pgm_name(const std::string& base, std::size_t index, bool several) {
  if (!several) return base;
  const auto dot = base.rfind('.');
  const std::string stem = dot == std::string::npos ? base : base.substr(0, dot);
  const std::string ext = dot == std::string::npos ? ".pgm" : base.substr(dot);
  return stem + "_" + std::to_string(index) + ext;
}

int show(const ShowOptions& options) {
  const data::Dataset set = options.labels.empty() ? data::load_images(options.images)
                                                   : data::load_dataset(options.images, options.labels, 256);
  data::check_selection(options.images, options.index, options.count, set.count);
  for (std::size_t i = options.index; i < options.index + options.count; ++i) {
    std::string label = set.labels.empty() ? "" : ", label " + std::to_string(set.labels[i]);
    if (!options.pgm.empty()) {
      const std::string path = pgm_name(options.pgm, i, options.count > 1);
      io::write_file_atomic(path, data::to_pgm(set.image(i), set.rows, set.cols));
      std::printf("image %zu%s -> %s\n", i, label.c_str(), path.c_str());
      continue;
    }
    std::printf("image %zu%s, shape (%d, %d)\n", i, label.c_str(), set.rows, set.cols);
    std::fputs(data::render_image(set.image(i), set.rows, set.cols, !options.ascii).c_str(),
               stdout);
  }
  return 0;
}

}  // namespace

CommandAction add_show(CLI::App& app, CLI::App*& sub) {
  auto options = std::make_shared<ShowOptions>();
  sub = app.add_subcommand("show", "Draw images from an IDX file in the terminal, or as PGM");
  sub->add_option("--images", options->images, "IDX image file")->required();
  sub->add_option("--labels", options->labels, "IDX label file (optional)");
  sub->add_option("--index", options->index, "first image to show");
  sub->add_option("--count", options->count, "number of images")->check(integer_at_least(1));
  sub->add_flag("--ascii", options->ascii, "ASCII ramp instead of Unicode shade blocks");
  sub->add_option("--pgm", options->pgm, "write PGM file(s) instead of drawing");
  return [options] { return show(*options); };
}

}  // namespace mnisttrain::cli
