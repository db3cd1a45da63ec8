// The run record's file forms; see run_record.h.
#include "train/run_record.h"

#include <cstdio>

namespace mnisttrain::train {

nlohmann::json to_json(const EpochMetrics& m) {
  nlohmann::json j = {{"epoch", m.epoch}, {"loss", m.loss}, {"accuracy", m.accuracy}};
  if (m.has_validation) {
    j["val_loss"] = m.val_loss;
    j["val_accuracy"] = m.val_accuracy;
  }
  j["learning_rate"] = m.learning_rate;
  j["seconds"] = m.seconds;
  j["samples_per_second"] = m.samples_per_second;
  return j;
}

EpochMetrics epoch_from_json(const nlohmann::json& record) {
  EpochMetrics m;
  m.epoch = record.at("epoch").get<int>();
  m.loss = record.at("loss").get<double>();
  m.accuracy = record.at("accuracy").get<double>();
  m.has_validation = record.contains("val_loss");
  if (m.has_validation) {
    m.val_loss = record.at("val_loss").get<double>();
    m.val_accuracy = record.at("val_accuracy").get<double>();
  }
  m.learning_rate = record.at("learning_rate").get<double>();
  m.seconds = record.at("seconds").get<double>();
  m.samples_per_second = record.at("samples_per_second").get<double>();
  return m;
}

std::string metrics_jsonl(const std::vector<EpochMetrics>& history) {
  std::string lines;
  for (const EpochMetrics& m : history) lines += to_json(m).dump() + "\n";
  return lines;
}

std::string metrics_csv(const std::vector<EpochMetrics>& history) {
  const bool validation = !history.empty() && history.front().has_validation;
  std::string csv = validation ? "epoch,accuracy,learning_rate,loss,val_accuracy,val_loss\n"
                               : "epoch,accuracy,learning_rate,loss\n";
  char row[160];
  for (const EpochMetrics& m : history) {
    // %.17g: doubles round-trip exactly, as in metrics.jsonl.
    std::snprintf(row, sizeof row, "%d,%.17g,%.17g,%.17g", m.epoch - 1, m.accuracy,
                  m.learning_rate, m.loss);
    csv += row;
    if (validation) {
      std::snprintf(row, sizeof row, ",%.17g,%.17g", m.val_accuracy, m.val_loss);
      csv += row;
    }
    csv += "\n";
  }
  return csv;
}

}  // namespace mnisttrain::train
