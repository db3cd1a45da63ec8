// Early stopping and save-best; see callbacks.h.
#include "train/callbacks.h"

namespace mnisttrain::train {

Monitor monitor_named(const std::string& name) {
  if (name == "loss") return Monitor::Loss;
  if (name == "accuracy") return Monitor::Accuracy;
  if (name == "val_accuracy") return Monitor::ValAccuracy;
  return Monitor::ValLoss;
}

double monitored_value(Monitor monitor, const EpochMetrics& metrics) {
  switch (monitor) {
    case Monitor::Loss: return metrics.loss;
    case Monitor::Accuracy: return metrics.accuracy;
    case Monitor::ValLoss: return metrics.val_loss;
    case Monitor::ValAccuracy: return metrics.val_accuracy;
  }
  return metrics.val_loss;
}

bool improves(Monitor monitor, double value, const MonitorState& state, double min_delta) {
  if (!state.has_best) return true;
  const bool higher_is_better = monitor == Monitor::Accuracy || monitor == Monitor::ValAccuracy;
  return higher_is_better ? value > state.best + min_delta : value < state.best - min_delta;
}

EarlyStopping::EarlyStopping(const config::EarlyStoppingConfig& settings)
    : settings_(settings), monitor_(monitor_named(settings.monitor)) {}

bool EarlyStopping::on_epoch_end(const EpochMetrics& metrics, const std::vector<float>& params) {
  if (!settings_.enabled) return false;
  const double value = monitored_value(monitor_, metrics);
  ++state_.wait;
  if (improves(monitor_, value, state_, settings_.min_delta)) {
    state_ = {true, value, metrics.epoch, 0};
    if (settings_.restore_best_weights) best_params_ = params;
    return false;
  }
  // Keras never stops after the first epoch, whatever the patience.
  return state_.wait >= settings_.patience && metrics.epoch > 1;
}

void EarlyStopping::on_train_end(std::vector<float>& params) const {
  if (settings_.enabled && settings_.restore_best_weights && !best_params_.empty()) {
    params = best_params_;
  }
}

SaveBest::SaveBest(const config::SaveBestConfig& settings)
    : enabled_(settings.enabled), monitor_(monitor_named(settings.monitor)) {}

bool SaveBest::on_epoch_end(const EpochMetrics& metrics) {
  if (!enabled_) return false;
  const double value = monitored_value(monitor_, metrics);
  if (!improves(monitor_, value, state_, 0.0)) return false;
  state_ = {true, value, metrics.epoch, 0};
  return true;
}

}  // namespace mnisttrain::train
