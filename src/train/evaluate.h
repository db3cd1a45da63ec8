// Evaluation of a network on a labelled set: loss, accuracy, confusion matrix and the
// per-class precision / recall / F1 derived from it. Forward only, dropout off, in order.
#pragma once

#include "config/config.h"
#include "data/dataset.h"
#include "nn/network.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mnisttrain::train {

struct ClassScores {
  double precision = 0.0;
  double recall = 0.0;
  double f1 = 0.0;
  std::size_t support = 0;  // samples whose true label is this class
};

struct ConfusedPair {
  int truth = 0;
  int predicted = 0;
  std::size_t count = 0;
};

struct Mistake {
  std::size_t index = 0;  // sample index in the data
  int truth = 0;
  int predicted = 0;
  float confidence = 0.0f;  // the network's output for the predicted class
};

struct Evaluation {
  double loss = 0.0;  // mean over samples, plus the L2 penalty as Keras reports it
  double accuracy = 0.0;
  std::size_t count = 0;
  std::size_t correct = 0;
  int num_classes = 0;
  std::vector<std::size_t> confusion;     // (truth, predicted), row-major num_classes^2
  std::vector<std::uint8_t> predictions;  // per sample, in data order
  std::vector<float> outputs;             // (count, num_classes): the network's output rows

  // Binomial standard error of the accuracy: sqrt(acc (1 - acc) / n).
  double accuracy_stderr() const;
  std::vector<ClassScores> class_scores() const;
  // Off-diagonal cells, largest first.
  std::vector<ConfusedPair> most_confused(std::size_t k) const;
  // Up to k misclassified samples, the most confident first (ties: lower index first).
  std::vector<Mistake> most_confident_mistakes(const std::vector<std::uint8_t>& labels, std::size_t k) const;
};

// One line per sample: "index,true,predicted,p0,...,p{C-1}" under a header line.
std::string predictions_csv(const Evaluation& evaluation, const std::vector<std::uint8_t>& labels);

Evaluation evaluate(nn::Network& network, const data::Dataset& data, nn::Loss loss,
                    std::size_t batch_size);

}  // namespace mnisttrain::train
