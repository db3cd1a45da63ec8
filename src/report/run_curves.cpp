// Learning curves per epoch, the per-batch training loss when the run logged it, and the
// learning rate when a schedule changes it; see sections.h.
#include "report/html.h"
#include "report/sections.h"
#include "report/svg.h"

#include <map>

namespace mnisttrain::report {

namespace {

Series epoch_series(const std::string& name, const std::vector<train::EpochMetrics>& epochs,
                    double train::EpochMetrics::*field) {
  Series s;
  s.name = name;
  for (const train::EpochMetrics& e : epochs) {
    s.x.push_back(e.epoch);
    s.y.push_back(e.*field);
  }
  return s;
}

// Batch b of an epoch of N batches sits at x = epoch - 1 + b / N, so the epoch's own point
// (at x = epoch, the mean over the epoch) lines up with the end of its batches.
Series batch_series(const std::string& name, const std::vector<train::BatchRecord>& batches,
                    double train::BatchRecord::*field) {
  std::map<int, std::size_t> batches_per_epoch;
  for (const train::BatchRecord& b : batches) batches_per_epoch[b.epoch] = std::max(batches_per_epoch[b.epoch], b.batch);
  Series s;
  s.name = name;
  s.markers = false;
  for (const train::BatchRecord& b : batches) {
    s.x.push_back(b.epoch - 1 + static_cast<double>(b.batch) / static_cast<double>(batches_per_epoch[b.epoch]));
    s.y.push_back(b.*field);
  }
  return s;
}

bool has_validation(const RunFiles& run) {
  for (const train::EpochMetrics& e : run.epochs) {
    if (e.has_validation) return true;
  }
  return false;
}

}  // namespace

std::string curves_section(const RunFiles& run, const config::Config& config) {
  const bool validation = has_validation(run);
  LineChart loss{"Loss", "epoch", "loss", {}, true};
  LineChart accuracy{"Accuracy", "epoch", "accuracy", {}, true};
  if (!run.batches.empty()) loss.series.push_back(batch_series("training loss per batch", run.batches, &train::BatchRecord::loss));
  loss.series.push_back(epoch_series("training loss", run.epochs, &train::EpochMetrics::loss));
  accuracy.series.push_back(epoch_series("training accuracy", run.epochs, &train::EpochMetrics::accuracy));
  if (validation) {  // dashed, as validation curves are usually drawn beside training ones
    loss.series.push_back(epoch_series("validation loss", run.epochs, &train::EpochMetrics::val_loss));
    accuracy.series.push_back(epoch_series("validation accuracy", run.epochs, &train::EpochMetrics::val_accuracy));
    loss.series.back().dashed = accuracy.series.back().dashed = true;
  }
  std::string body = paragraph(
      "Each point is one epoch: the training values are the means over the epoch's batches (as Keras "
      "prints them)" +
      std::string(validation ? ", the validation values are measured after the epoch" : "; this run had no validation split") +
      ". Hover a point for its value." +
      std::string(run.batches.empty() ? " This run has no batches.jsonl, so there is no per-batch loss."
                                      : " The thin line is the loss of every single batch: noisy, because each "
                                        "batch is a different small sample."));
  body += "<div class=\"row\">" + line_chart(loss) + line_chart(accuracy);
  if (config.training.optimizer.schedule.type != optim::ScheduleType::Constant) {
    LineChart rate{"Learning rate", "epoch", "learning rate", {}, true};
    if (!run.batches.empty()) rate.series.push_back(batch_series("per batch", run.batches, &train::BatchRecord::learning_rate));
    rate.series.push_back(epoch_series("at the end of the epoch", run.epochs, &train::EpochMetrics::learning_rate));
    body += line_chart(rate);
  }
  return body + "</div>";
}

}  // namespace mnisttrain::report
