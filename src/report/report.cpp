// Assembling the report pages from run folders; see report.h.
#include "report/report.h"

#include "error.h"
#include "io/atomic_file.h"
#include "report/html.h"
#include "report/sections.h"
#include "report/svg.h"
#include "train/config_data.h"

#include <memory>

namespace mnisttrain::report {

namespace {

config::Config config_of(const RunFiles& run) {
  return config::parse_config(run.summary.at("config"), run.dir + "/summary.json: config", "");
}

// What the model-based figures need; `problem` says what was missing when a part is absent.
struct ModelFigures {
  std::unique_ptr<train::SavedModel> saved;
  std::string problem;
};

ModelFigures load_model_of(const RunFiles& run) {
  ModelFigures figures;
  try {
    figures.saved = std::make_unique<train::SavedModel>(train::load_model(run.dir + "/model.bin"));
  } catch (const Error& e) {
    figures.problem = e.what();
  }
  return figures;
}

void add_model_sections(Page& page, train::SavedModel& saved) {
  const config::DataConfig& data = saved.config.data;
  try {
    const data::Dataset test = train::load_labelled(data, data.test_images, data.test_labels);
    const train::Evaluation e = train::evaluate(*saved.network, test, saved.config.training.loss, 1000);
    page.add_section("confusion", "Confusion matrix", confusion_section(e, data.class_names));
    page.add_section("weights", "What the first layer learned", weights_section(*saved.network));
    page.add_section("mistakes", "Most confident mistakes", mistakes_section(e, test, data.class_names));
  } catch (const Error& e) {
    page.add_section("weights", "What the first layer learned", weights_section(*saved.network));
    page.add_section("confusion", "Confusion matrix and mistakes",
                     paragraph(std::string("The test set could not be read: ") + e.what(), "note"));
  }
  try {
    const data::Dataset first = train::load_first_labelled(data, data.train_images, data.train_labels, kDigitsShown);
    page.add_section("data", "The data as the network sees it", data_section(first));
  } catch (const Error& e) {
    page.add_section("data", "The data as the network sees it",
                     paragraph(std::string("The training set could not be read: ") + e.what(), "note"));
  }
}

}  // namespace

std::string run_report(const std::string& run_dir) {
  const RunFiles run = read_run(run_dir);
  const config::Config config = config_of(run);
  ModelFigures model = load_model_of(run);
  Page page("mnisttrain report: " + run_name(run_dir), "Run folder " + run_dir);
  page.add_section("glance", "The run at a glance",
                   glance_section(run, config, model.saved ? model.saved->network.get() : nullptr));
  page.add_section("curves", "Learning curves", curves_section(run, config));
  if (model.saved) {
    add_model_sections(page, *model.saved);
  } else {
    page.add_section("model", "Model figures", paragraph("No figures from the model: " + model.problem, "note"));
  }
  return page.render();
}

std::string comparison_report(const std::vector<std::string>& run_dirs) {
  std::vector<RunFiles> runs;
  std::vector<config::Config> configs;
  for (const std::string& dir : run_dirs) {
    runs.push_back(read_run(dir));
    configs.push_back(config_of(runs.back()));
  }
  std::string names;
  for (const RunFiles& run : runs) names += (names.empty() ? "" : ", ") + run_name(run.dir);
  Page page("mnisttrain comparison: " + names, std::to_string(runs.size()) + " runs side by side");
  page.add_section("curves", "Learning curves", comparison_curves(runs));
  page.add_section("table", "Configs and results", comparison_table(runs, configs));
  return page.render();
}

void write_report(const std::vector<std::string>& run_dirs, const std::string& out) {
  if (run_dirs.empty()) throw Error("report: no run folder given");
  const std::string html = run_dirs.size() == 1 ? run_report(run_dirs.front()) : comparison_report(run_dirs);
  io::write_file_atomic(out, html);
}

}  // namespace mnisttrain::report
