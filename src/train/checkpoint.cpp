// Saving and loading checkpoint.bin; see checkpoint.h.
#include "train/checkpoint.h"

#include "error.h"
#include "io/model_file.h"
#include "train/header_fields.h"

#include <climits>
#include <cstdint>

#include <cmath>

namespace mnisttrain::train {

static nlohmann::json monitor_json(const MonitorState& m) {
  return {{"has_best", m.has_best}, {"best", m.best}, {"best_epoch", m.best_epoch}, {"wait", m.wait}};
}

static MonitorState monitor_from(const HeaderFields& m) {
  return {m.boolean("has_best"), m.finite_number("best"),
          static_cast<int>(m.integer("best_epoch", 0, INT_MAX)),
          static_cast<int>(m.integer("wait", 0, INT_MAX))};
}

static nlohmann::json history_json(const std::vector<EpochMetrics>& history) {
  nlohmann::json records = nlohmann::json::array();
  for (const EpochMetrics& m : history) records.push_back(to_json(m));
  return records;
}

void save_checkpoint(const std::string& path, const CheckpointHeader& c, const CheckpointArrays& a) {
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
  std::vector<io::ArrayToSave> arrays = {{"params", a.params}, {"optimizer", a.optimizer_state}};
  if (!a.best_params.empty()) arrays.emplace_back("best_params", a.best_params);
  io::save_model_file(path, header, arrays);
}

void save_checkpoint(const std::string& path, const Checkpoint& c) {
  save_checkpoint(path, c, {c.params, c.optimizer_state, c.best_params});
}

// Every field is checked for type and range here; the trainer then checks the sizes against
// the network and the data (params, optimizer state, the batch cursor).
static LoopState loop_state_from(const HeaderFields& h) {
  LoopState s;
  s.epoch = static_cast<int>(h.integer("epoch", 0, INT_MAX));
  s.batch = h.unsigned_integer("batch");
  s.loss_sum = h.finite_number("loss_sum");
  s.correct = h.unsigned_integer("correct");
  s.seen = h.unsigned_integer("seen");
  if (s.correct > s.seen) h.fail("correct", "is more than seen (" + std::to_string(s.seen) + ")");
  return s;
}

static std::array<std::uint64_t, 4> rng_state_from(const HeaderFields& h) {
  const nlohmann::json& words = h.at("dropout_rng");
  if (!words.is_array() || words.size() != 4) h.fail("dropout_rng", "expected 4 unsigned integers");
  std::array<std::uint64_t, 4> state{};
  for (std::size_t i = 0; i < 4; ++i) {
    if (!words[i].is_number_unsigned()) h.fail("dropout_rng", "expected 4 unsigned integers");
    state[i] = words[i].get<std::uint64_t>();
  }
  return state;
}

static std::vector<EpochMetrics> history_from(const HeaderFields& h) {
  const nlohmann::json& records = h.at("history");
  if (!records.is_array()) h.fail("history", "expected an array of per-epoch metrics");
  std::vector<EpochMetrics> history;
  for (std::size_t i = 0; i < records.size(); ++i) {
    try {
      if (!records[i].is_object()) throw Error("expected an object");
      history.push_back(epoch_from_json(records[i]));
    } catch (const std::exception& e) {
      h.fail("history[" + std::to_string(i) + "]", std::string("is not a metrics record: ") + e.what());
    }
  }
  return history;
}

Checkpoint load_checkpoint(const std::string& path) {
  const io::ModelFile file = io::load_model_file(path);
  const HeaderFields h(file.header, path + ": header");
  h.expect_string("kind", "checkpoint", " (--resume takes the checkpoint.bin of a run)");
  Checkpoint c;
  c.config = config::parse_config(h.at("config"), path + " (header config)", "");
  c.state = loop_state_from(h);
  c.optimizer_steps = h.integer("step", 0, INT64_MAX);
  c.dropout_rng = rng_state_from(h);
  c.history = history_from(h);
  c.early_stopping = monitor_from(h.object("early_stopping"));
  c.save_best = monitor_from(h.object("save_best"));
  c.params = file.array("params", path);
  c.optimizer_state = file.array("optimizer", path);
  for (const auto& a : file.arrays) {
    if (a.name == "best_params") c.best_params = a.values;
  }
  if (!c.best_params.empty() && c.best_params.size() != c.params.size()) {
    throw Error(path + ": array \"best_params\" holds " + std::to_string(c.best_params.size()) +
                " floats, \"params\" holds " + std::to_string(c.params.size()));
  }
  check_finite(c.params, "params", path);
  check_finite(c.optimizer_state, "optimizer", path);
  check_finite(c.best_params, "best_params", path);
  return c;
}

}  // namespace mnisttrain::train
