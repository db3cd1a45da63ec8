// Saving and loading checkpoint.bin; see checkpoint.h.
#include "train/checkpoint.h"

#include "error.h"
#include "io/model_file.h"

#include <cmath>

namespace mnisttrain::train {

static nlohmann::json monitor_json(const MonitorState& m) {
  return {{"has_best", m.has_best}, {"best", m.best}, {"best_epoch", m.best_epoch}, {"wait", m.wait}};
}

static MonitorState monitor_from(const nlohmann::json& j) {
  return {j.at("has_best").get<bool>(), j.at("best").get<double>(), j.at("best_epoch").get<int>(),
          j.at("wait").get<int>()};
}

static nlohmann::json history_json(const std::vector<EpochMetrics>& history) {
  nlohmann::json records = nlohmann::json::array();
  for (const EpochMetrics& m : history) records.push_back(to_json(m));
  return records;
}

void save_checkpoint(const std::string& path, const Checkpoint& c) {
  const LoopState& s = c.state;
  nlohmann::json header = {
      {"kind", "checkpoint"},
      {"mnisttrain_version", MNISTTRAIN_VERSION},
      {"config", config::to_json(c.config)},
      {"epoch", s.epoch},
      {"batch", s.batch},
      {"step", c.optimizer_steps},
      {"loss_sum", s.loss_sum},
      {"correct", s.correct},
      {"seen", s.seen},
      {"dropout_rng", c.dropout_rng},
      {"history", history_json(c.history)},
      {"early_stopping", monitor_json(c.early_stopping)},
      {"save_best", monitor_json(c.save_best)},
  };
  std::vector<io::NamedArray> arrays = {{"params", c.params}, {"optimizer", c.optimizer_state}};
  if (!c.best_params.empty()) arrays.push_back({"best_params", c.best_params});
  io::save_model_file(path, header, arrays);
}

// A NaN or infinity under a valid CRC was written that way (a run that diverged is never
// checkpointed): resuming from it would only train NaN.
static void check_finite(const std::string& path, const io::NamedArray& array) {
  for (std::size_t i = 0; i < array.values.size(); ++i) {
    if (!std::isfinite(array.values[i])) {
      throw Error(path + ": " + array.name + "[" + std::to_string(i) + "] is not a finite number");
    }
  }
}

Checkpoint load_checkpoint(const std::string& path) {
  const io::ModelFile file = io::load_model_file(path);
  const nlohmann::json& h = file.header;
  if (h.value("kind", std::string()) != "checkpoint") {
    throw Error(path + ": header: kind is " + (h.contains("kind") ? h["kind"].dump() : std::string("missing")) +
                ", expected \"checkpoint\" (--resume takes the checkpoint.bin of a run)");
  }
  Checkpoint c;
  try {
    c.config = config::parse_config(h.at("config"), path + " (header config)", "");
    LoopState& s = c.state;
    s.epoch = h.at("epoch").get<int>();
    s.batch = h.at("batch").get<std::size_t>();
    c.optimizer_steps = h.at("step").get<std::int64_t>();
    s.loss_sum = h.at("loss_sum").get<double>();
    s.correct = h.at("correct").get<std::size_t>();
    s.seen = h.at("seen").get<std::size_t>();
    c.dropout_rng = h.at("dropout_rng").get<std::array<std::uint64_t, 4>>();
    for (const nlohmann::json& record : h.at("history")) c.history.push_back(epoch_from_json(record));
    c.early_stopping = monitor_from(h.at("early_stopping"));
    c.save_best = monitor_from(h.at("save_best"));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": header: " + e.what());
  }
  for (const auto& a : file.arrays) check_finite(path, a);
  c.params = file.array("params", path);
  c.optimizer_state = file.array("optimizer", path);
  for (const auto& a : file.arrays) {
    if (a.name == "best_params") c.best_params = a.values;
  }
  return c;
}

}  // namespace mnisttrain::train
