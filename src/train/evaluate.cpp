// Evaluation and the statistics derived from the confusion matrix; see evaluate.h.
#include "train/evaluate.h"

#include "data/batches.h"
#include "error.h"
#include "kernels/sparse_dense.h"
#include "nn/objective.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mnisttrain::train {

Evaluation evaluate(nn::Network& network, const data::Dataset& data, nn::Loss loss,
                    std::size_t batch_size) {
  Evaluation result;
  result.count = data.count;
  result.num_classes = data.num_classes;
  const auto C = static_cast<std::size_t>(data.num_classes);
  result.confusion.assign(C * C, 0);
  result.predictions.resize(data.count);
  result.outputs.resize(data.count * C);
  if (data.count == 0) return result;

  if (data.features() != network.input_features() || C != network.output_features()) {
    throw Error("evaluation data has " + std::to_string(data.features()) + " pixels per image and " +
                std::to_string(C) + " classes, the network expects " +
                std::to_string(network.input_features()) + " and " + std::to_string(network.output_features()));
  }
  data::BatchIterator batches(data, std::min(batch_size, data.count));
  network.reserve(batches.batch_size());
  // The first layer's path suits this data's density; training's choice is put back after.
  const bool training_path = network.sparse_input();
  network.use_sparse_input(nn::prefers_sparse_input(kernels::density(data.images.data(), data.images.size())));
  batches.convert_to_floats(network.needs_float_input());
  double loss_sum = 0.0;
  std::size_t first = 0;
  for (std::size_t b = 0; b < batches.num_batches(); ++b) {
    const data::Batch batch = batches.batch(b);
    const nn::BatchLoss r =
        nn::forward_loss(network, loss, {batch.x, batch.images}, batch.onehot, batch.labels, batch.size, false);
    const float* out = r.outputs;
    loss_sum += r.loss.loss * static_cast<double>(batch.size);
    result.correct += r.loss.correct;
    std::copy(out, out + batch.size * C, result.outputs.begin() + static_cast<std::ptrdiff_t>(first * C));
    for (std::size_t row = 0; row < batch.size; ++row) {
      const std::size_t predicted = nn::argmax_row(out + row * C, C);
      result.predictions[first + row] = static_cast<std::uint8_t>(predicted);
      ++result.confusion[static_cast<std::size_t>(batch.labels[row]) * C + predicted];
    }
    first += batch.size;
  }
  network.use_sparse_input(training_path);
  result.loss = loss_sum / static_cast<double>(data.count) + network.l2_penalty();
  result.accuracy = static_cast<double>(result.correct) / static_cast<double>(data.count);
  return result;
}

double Evaluation::accuracy_stderr() const {
  if (count == 0) return 0.0;
  return std::sqrt(accuracy * (1.0 - accuracy) / static_cast<double>(count));
}

std::vector<ClassScores> Evaluation::class_scores() const {
  const auto C = static_cast<std::size_t>(num_classes);
  std::vector<ClassScores> scores(C);
  for (std::size_t c = 0; c < C; ++c) {
    std::size_t predicted_as_c = 0, truly_c = 0;
    for (std::size_t k = 0; k < C; ++k) {
      predicted_as_c += confusion[k * C + c];
      truly_c += confusion[c * C + k];
    }
    const double hits = static_cast<double>(confusion[c * C + c]);
    ClassScores& s = scores[c];
    s.support = truly_c;
    s.precision = predicted_as_c ? hits / static_cast<double>(predicted_as_c) : 0.0;
    s.recall = truly_c ? hits / static_cast<double>(truly_c) : 0.0;
    s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0.0;
  }
  return scores;
}

std::vector<ConfusedPair> Evaluation::most_confused(std::size_t k) const {
  const auto C = static_cast<std::size_t>(num_classes);
  std::vector<ConfusedPair> pairs;
  for (std::size_t t = 0; t < C; ++t) {
    for (std::size_t p = 0; p < C; ++p) {
      if (t != p && confusion[t * C + p] > 0) {
        pairs.push_back({static_cast<int>(t), static_cast<int>(p), confusion[t * C + p]});
      }
    }
  }
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const ConfusedPair& a, const ConfusedPair& b) { return a.count > b.count; });
  if (pairs.size() > k) pairs.resize(k);
  return pairs;
}

std::vector<Mistake> Evaluation::most_confident_mistakes(const std::vector<std::uint8_t>& labels,
                                                        std::size_t k) const {
  const auto C = static_cast<std::size_t>(num_classes);
  std::vector<Mistake> mistakes;
  for (std::size_t i = 0; i < count; ++i) {
    if (predictions[i] == labels[i]) continue;
    mistakes.push_back({i, labels[i], predictions[i], outputs[i * C + predictions[i]]});
  }
  std::stable_sort(mistakes.begin(), mistakes.end(),
                   [](const Mistake& a, const Mistake& b) { return a.confidence > b.confidence; });
  if (mistakes.size() > k) mistakes.resize(k);
  return mistakes;
}

std::string predictions_csv(const Evaluation& e, const std::vector<std::uint8_t>& labels) {
  const auto C = static_cast<std::size_t>(e.num_classes);
  std::string csv = "index,true,predicted";
  for (std::size_t c = 0; c < C; ++c) csv += ",p" + std::to_string(c);
  csv += "\n";
  char number[32];
  for (std::size_t i = 0; i < e.count; ++i) {
    csv += std::to_string(i) + "," + std::to_string(labels[i]) + "," + std::to_string(e.predictions[i]);
    for (std::size_t c = 0; c < C; ++c) {
      // %.9g round-trips a float exactly.
      std::snprintf(number, sizeof number, ",%.9g", static_cast<double>(e.outputs[i * C + c]));
      csv += number;
    }
    csv += "\n";
  }
  return csv;
}

}  // namespace mnisttrain::train
