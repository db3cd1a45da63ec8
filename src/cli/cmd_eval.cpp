// `mnisttrain eval MODEL`: loss, accuracy with its binomial standard error, the confusion
// matrix, per-class precision / recall / F1 and the most confused pairs; --json for machines.
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "text/format.h"
#include "data/dataset.h"
#include "data/mnist_files.h"
#include "data/render.h"
#include "error.h"
#include "io/atomic_file.h"
#include "train/config_data.h"
#include "train/evaluate.h"
#include "train/saved_model.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace mnisttrain::cli {

namespace {

struct EvalFlags {
  std::string model;
  std::string images;
  std::string labels;
  std::string data;
  bool json = false;
  std::size_t show_errors = 0;
  std::string predictions;
  // 256: the sparse first layer's panels of 256 samples stay in the L2 cache (1.5x the images/s of 1000).
  int batch_size = 256;
};

nlohmann::json to_json(const train::Evaluation& e, const std::string& model, const std::string& images,
                       const std::vector<std::string>& names) {
  nlohmann::json classes = nlohmann::json::array();
  const auto scores = e.class_scores();
  for (std::size_t c = 0; c < scores.size(); ++c) {
    classes.push_back({{"class", c}, {"precision", scores[c].precision}, {"recall", scores[c].recall},
                       {"f1", scores[c].f1}, {"support", scores[c].support}});
    if (!names.empty()) classes.back()["name"] = names[c];
  }
  nlohmann::json matrix = nlohmann::json::array();
  const auto C = static_cast<std::size_t>(e.num_classes);
  for (std::size_t t = 0; t < C; ++t) {
    matrix.push_back(std::vector<std::size_t>(e.confusion.begin() + static_cast<std::ptrdiff_t>(t * C),
                                              e.confusion.begin() + static_cast<std::ptrdiff_t>((t + 1) * C)));
  }
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& p : e.most_confused(10)) pairs.push_back({{"true", p.truth}, {"predicted", p.predicted}, {"count", p.count}});
  return {{"model", model}, {"images", images}, {"samples", e.count}, {"loss", e.loss},
          {"accuracy", e.accuracy}, {"accuracy_stderr", e.accuracy_stderr()}, {"correct", e.correct},
          {"confusion_matrix", matrix}, {"classes", classes}, {"most_confused", pairs}};
}

// The per-class table's name column fits the longest name; without class names it is absent
// (width 0) and the table is as it always was.
std::size_t name_width(const std::vector<std::string>& names) {
  if (names.empty()) return 0;
  std::size_t width = text::characters("name");
  for (const std::string& name : names) width = std::max(width, text::characters(name));
  return width;
}

std::string name_cell(const std::string& text, std::size_t width) {
  return width == 0 ? "" : "  " + text::pad_right(text, width);
}

void print_report(const train::Evaluation& e, const std::string& model, std::size_t params,
                  const std::string& images, const std::vector<std::string>& names) {
  std::printf("model     %s (%s parameters)\n", model.c_str(), text::with_commas(params).c_str());
  std::printf("data      %s (%s samples)\n", images.c_str(), text::with_commas(e.count).c_str());
  std::printf("loss      %.4f\n", e.loss);
  std::printf("accuracy  %.4f +/- %.4f  (%s of %s correct; +/- is the binomial standard error "
              "sqrt(p(1-p)/n))\n\n", e.accuracy, e.accuracy_stderr(), text::with_commas(e.correct).c_str(),
              text::with_commas(e.count).c_str());
  const auto C = static_cast<std::size_t>(e.num_classes);
  std::printf("confusion matrix (rows: true label, columns: predicted)\n      ");
  for (std::size_t p = 0; p < C; ++p) std::printf("%6zu", p);
  std::printf("\n");
  for (std::size_t t = 0; t < C; ++t) {
    std::printf("  %3zu ", t);
    for (std::size_t p = 0; p < C; ++p) std::printf("%6zu", e.confusion[t * C + p]);
    std::printf("\n");
  }
  const std::size_t width = name_width(names);
  std::printf("\nclass%s  precision  recall      f1  support\n", name_cell("name", width).c_str());
  const auto scores = e.class_scores();
  for (std::size_t c = 0; c < C; ++c) {
    std::printf("  %3zu%s     %.4f  %.4f  %.4f  %7zu\n", c, name_cell(names.empty() ? "" : names[c], width).c_str(),
                scores[c].precision, scores[c].recall, scores[c].f1, scores[c].support);
  }
  std::printf("\nmost confused (true -> predicted: count)\n");
  for (const auto& p : e.most_confused(5)) {
    std::printf("  %s -> %s: %zu\n", text::class_label(static_cast<std::size_t>(p.truth), names).c_str(),
                text::class_label(static_cast<std::size_t>(p.predicted), names).c_str(), p.count);
  }
}

// --images/--labels, else the test files in --data, else the test set the model records.
std::pair<std::string, std::string> test_files(const EvalFlags& flags, const train::SavedModel& saved) {
  if (!flags.images.empty()) return {flags.images, flags.labels};
  if (!flags.data.empty()) {
    const data::MnistFiles files = data::find_mnist_files(flags.data);
    return {files.test_images, files.test_labels};
  }
  const config::DataConfig& recorded = saved.config.data;
  std::error_code ignored;
  for (const std::string& path : {recorded.test_images, recorded.test_labels}) {
    if (!std::filesystem::is_regular_file(path, ignored)) {
      throw Error(flags.model + ": the test set it records, " + path +
                  ", is not there (moved or deleted?); pass --images FILE --labels FILE or --data DIR");
    }
  }
  return {recorded.test_images, recorded.test_labels};
}

int run_eval(const EvalFlags& flags) {
  train::SavedModel saved = train::load_model(flags.model);
  const std::vector<std::string>& names = saved.config.data.class_names;
  const auto [images, labels] = test_files(flags, saved);
  spdlog::debug("test images {}, labels {}", data::absolute_path(images), data::absolute_path(labels));
  const data::Dataset set = train::load_labelled(saved.config.data, images, labels);
  data::check_image_shape(set, saved.network->input_shape(), images, "the model " + flags.model);
  const auto start = std::chrono::steady_clock::now();
  const train::Evaluation e = train::evaluate(*saved.network, set, saved.config.training.loss,
                                              static_cast<std::size_t>(flags.batch_size));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  spdlog::debug("evaluated {} images in {:.4f} s ({:.0f} images/s) on {} threads", e.count, seconds,
                static_cast<double>(e.count) / std::max(seconds, 1e-9), saved.network->threads());
  if (!flags.predictions.empty()) {
    io::write_file_atomic(flags.predictions, train::predictions_csv(e, set.labels));
    spdlog::info("wrote {} ({} rows)", flags.predictions, e.count);
  }
  const std::vector<train::Mistake> mistakes = e.most_confident_mistakes(set.labels, flags.show_errors);
  if (flags.json) {
    // stdout stays one JSON document: the mistakes go into it, their drawings to stderr.
    nlohmann::json report = to_json(e, flags.model, images, names);
    if (flags.show_errors > 0) {
      report["most_confident_mistakes"] = nlohmann::json::array();
      for (const train::Mistake& m : mistakes) {
        report["most_confident_mistakes"].push_back(
            {{"index", m.index}, {"true", m.truth}, {"predicted", m.predicted}, {"confidence", m.confidence}});
      }
    }
    std::printf("%s\n", report.dump().c_str());
  } else {
    print_report(e, flags.model, saved.network->param_count(), images, names);
  }
  FILE* drawings = flags.json ? stderr : stdout;
  if (!mistakes.empty()) std::fprintf(drawings, "\nmost confident mistakes first\n");
  for (const train::Mistake& m : mistakes) {
    std::fprintf(drawings, "\nimage %zu: true %s, predicted %s with p = %.4f\n", m.index,
                 text::class_label(static_cast<std::size_t>(m.truth), names).c_str(),
                 text::class_label(static_cast<std::size_t>(m.predicted), names).c_str(),
                 static_cast<double>(m.confidence));
    std::fputs(data::render_image(set.image(m.index), set.rows, set.cols).c_str(), drawings);
  }
  return 0;
}

}  // namespace

CommandAction add_eval(CLI::App& app, CLI::App*& sub) {
  auto flags = std::make_shared<EvalFlags>();
  sub = app.add_subcommand("eval", "Evaluate a model: loss, accuracy, confusion matrix, per-class scores");
  sub->add_option("model", flags->model, "model.bin written by train")->required();
  CLI::Option* images = sub->add_option("--images", flags->images, "IDX images (default: the test set recorded in the model)");
  CLI::Option* labels = sub->add_option("--labels", flags->labels, "IDX labels (given together with --images)");
  CLI::Option* data = sub->add_option("--data", flags->data, "folder with the standard MNIST test files (plain or .gz)");
  // Images paired with another set's labels would give a meaningless accuracy without a warning.
  images->needs(labels);
  labels->needs(images);
  data->excludes(images)->excludes(labels);
  sub->add_flag("--json", flags->json, "print one JSON object instead of the report");
  sub->add_option("--show-errors", flags->show_errors, "draw the K most confident mistakes, most confident first");
  sub->add_option("--predictions", flags->predictions, "write a CSV: index,true,predicted,p0..p9 per sample");
  sub->add_option("--batch-size", flags->batch_size, "samples per forward pass")->check(integer_at_least(1));
  return [flags] { return run_eval(*flags); };
}

}  // namespace mnisttrain::cli
