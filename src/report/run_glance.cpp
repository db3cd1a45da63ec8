// The run at a glance: what was trained, how, and how well; see sections.h.
#include "text/format.h"
#include "train/describe.h"
#include "report/html.h"
#include "report/sections.h"
#include "report/svg.h"

#include <cmath>
#include <cstdio>

namespace mnisttrain::report {

namespace {

std::string schedule_text(const optim::OptimizerSettings& optimizer) {
  const optim::Schedule& s = optimizer.schedule;
  const std::string steps = std::to_string(s.decay_steps);
  switch (s.type) {
    case optim::ScheduleType::Constant: return "constant learning rate";
    case optim::ScheduleType::Step: return "step decay: x" + number(s.decay_rate) + " every " + steps + " steps";
    case optim::ScheduleType::Exponential: return "exponential decay: x" + number(s.decay_rate) + " per " + steps + " steps";
    case optim::ScheduleType::Cosine:
      return "cosine decay to " + number(s.alpha) + " x the initial rate over " +
             (s.decay_steps ? steps + " steps" : "all of training");
  }
  return "";
}

// As `summary` explains each count: inputs plus one bias, times units.
std::string layer_table(const nn::Network& network) {
  std::vector<std::vector<std::string>> rows;
  std::string shape;
  for (const int d : network.input_shape()) shape += (shape.empty() ? "" : " x ") + std::to_string(d);
  rows.push_back({"input", shape, "0", "flattened to " + std::to_string(network.input_features()) + " features"});
  for (const nn::Layer& layer : network.layers()) {
    const std::string why = train::layer_explanation(layer);
    rows.push_back({layer.name + " (" + nn::name_of(layer.spec.type) + ")", std::to_string(layer.outputs),
                    text::with_commas(layer.param_count), why});
  }
  rows.push_back({"total", "", text::with_commas(network.param_count()), ""});
  return table({"layer", "output features", "parameters", "why"}, rows, "layers");
}

double training_samples_per_second(const RunFiles& run) {
  double samples = 0.0, seconds = 0.0;
  for (const train::EpochMetrics& e : run.epochs) {
    if (!std::isfinite(e.seconds) || !std::isfinite(e.samples_per_second)) continue;
    samples += e.samples_per_second * e.seconds;
    seconds += e.seconds;
  }
  return seconds > 0 ? samples / seconds : NAN;
}

std::string summary_text(const nlohmann::json& summary, const char* key) {
  const auto it = summary.find(key);
  if (it == summary.end() || it->is_null()) return "not recorded";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

double summary_number(const nlohmann::json& summary, const char* key) {
  const auto it = summary.find(key);
  return it != summary.end() && it->is_number() ? it->get<double>() : NAN;
}

}  // namespace

std::string fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "n/a";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::vector<std::pair<std::string, std::string>> run_facts(const RunFiles& run, const config::Config& config) {
  const config::TrainingConfig& tc = config.training;
  const nlohmann::json& s = run.summary;
  const double accuracy = summary_number(s, "test_accuracy");
  return {
      {"optimizer", std::string(optim::name_of(tc.optimizer.type)) + ", learning rate " + number(tc.optimizer.learning_rate)},
      {"schedule", schedule_text(tc.optimizer)},
      {"loss", nn::name_of(tc.loss)},
      {"batch size", std::to_string(tc.batch_size)},
      {"epochs", summary_text(s, "epochs_run") + " of " + std::to_string(tc.epochs) + " (" + summary_text(s, "stopped") + ")"},
      {"seed", std::to_string(tc.seed)},
      {"validation split", number(config.data.validation_split)},
      {"parameters", summary_text(s, "param_count")},
      {"test accuracy", fixed(accuracy, 4) + " +/- " + fixed(summary_number(s, "test_accuracy_stderr"), 4) + " (" +
                            summary_text(s, "test_samples") + " test images; +/- is the standard error sqrt(p(1-p)/n))"},
      {"test loss", fixed(summary_number(s, "test_loss"), 4)},
      {"total time", fixed(summary_number(s, "seconds"), 1) + " s"},
      {"training speed", fixed(training_samples_per_second(run), 0) + " samples/s"},
      {"machine", summary_text(s, "machine")},
      {"BLAS", summary_text(s, "blas")},
      {"threads", summary_text(s, "threads")},
      {"mnisttrain", summary_text(s, "mnisttrain_version")},
  };
}

std::string glance_section(const RunFiles& run, const config::Config& config, const nn::Network* model) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& [label, value] : run_facts(run, config)) rows.push_back({label, value});
  std::string body = table({"", ""}, rows, "facts");
  body += model ? layer_table(*model) : paragraph(run.dir + "/model.bin could not be read: no layer table", "note");
  return body;
}

}  // namespace mnisttrain::report
