// Reading run folders; see run_files.h.
#include "report/run_files.h"

#include "error.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>

namespace mnisttrain::report {

namespace {

using nlohmann::json;

// A number field, NaN when absent or null (JSON has no NaN: nlohmann writes NaN as null).
double number_field(const json& record, const char* name, const std::string& where) {
  const auto it = record.find(name);
  if (it == record.end() || it->is_null()) return NAN;
  if (!it->is_number()) throw Error(where + ": \"" + name + "\" is not a number");
  return it->get<double>();
}

// Calls `on_record` with each line's JSON object and its "file:line" for messages.
void for_each_jsonl(const std::string& path, const std::function<void(const json&, const std::string&)>& on_record) {
  std::ifstream in(path);
  if (!in) throw Error(path + ": cannot open");
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const std::string where = path + ": line " + std::to_string(number);
    const json record = json::parse(line, nullptr, false);
    if (record.is_discarded() || !record.is_object()) throw Error(where + ": not a JSON object");
    on_record(record, where);
  }
}

// The trainer's own reader of a metrics.jsonl line, its exceptions turned into one line naming
// the file and line.
train::EpochMetrics epoch_of(const json& record, const std::string& where) {
  try {
    return train::epoch_from_json(record);
  } catch (const json::exception& e) {
    throw Error(where + ": " + e.what());
  }
}

train::BatchRecord batch_of(const json& record, const std::string& where) {
  train::BatchRecord b;
  b.step = static_cast<std::int64_t>(number_field(record, "step", where));
  const double epoch = number_field(record, "epoch", where);
  const double batch = number_field(record, "batch", where);
  if (!(epoch >= 1) || !(batch >= 1)) throw Error(where + ": \"epoch\" and \"batch\" must be numbers from 1");
  b.epoch = static_cast<int>(epoch);
  b.batch = static_cast<std::size_t>(batch);
  b.loss = number_field(record, "loss", where);
  b.accuracy = number_field(record, "accuracy", where);
  b.learning_rate = number_field(record, "learning_rate", where);
  return b;
}

}  // namespace

RunFiles read_run(const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) throw Error(dir + ": not a run folder (no such directory)");
  RunFiles run;
  run.dir = dir;
  const std::string summary_path = dir + "/summary.json";
  std::ifstream summary(summary_path);
  if (!summary) throw Error(summary_path + ": cannot open (train writes it when a run finishes)");
  run.summary = json::parse(summary, nullptr, false);
  if (run.summary.is_discarded() || !run.summary.is_object() || !run.summary.contains("config")) {
    throw Error(summary_path + ": not a summary.json written by train (no JSON object with \"config\")");
  }
  for_each_jsonl(dir + "/metrics.jsonl",
                 [&run](const json& record, const std::string& where) { run.epochs.push_back(epoch_of(record, where)); });
  if (std::filesystem::exists(dir + "/batches.jsonl")) {
    for_each_jsonl(dir + "/batches.jsonl", [&run](const json& record, const std::string& where) {
      run.batches.push_back(batch_of(record, where));
    });
  }
  return run;
}

std::string run_name(const std::string& dir) {
  std::filesystem::path path(dir);
  if (!path.has_filename()) path = path.parent_path();
  const std::string name = path.filename().string();
  return name.empty() || name == "." ? dir : name;
}

}  // namespace mnisttrain::report
