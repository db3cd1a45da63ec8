// Activation forward/backward; see activation.h.
#include "nn/activation.h"

#include <algorithm>
#include <cmath>

namespace mnisttrain::nn {

static void softmax_rows(float* y, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    float* row = y + r * cols;
    const float max = *std::max_element(row, row + cols);
    float sum = 0.0f;
    for (std::size_t c = 0; c < cols; ++c) {
      row[c] = std::exp(row[c] - max);  // exp(z - max) <= 1: no overflow for large logits
      sum += row[c];
    }
    const float inv = 1.0f / sum;
    for (std::size_t c = 0; c < cols; ++c) row[c] *= inv;
  }
}

void activation_forward(Activation act, float* y, std::size_t rows, std::size_t cols) {
  const std::size_t n = rows * cols;
  switch (act) {
    case Activation::Linear: return;
    case Activation::Relu:
      for (std::size_t i = 0; i < n; ++i) y[i] = y[i] > 0.0f ? y[i] : 0.0f;
      return;
    case Activation::Sigmoid:
      for (std::size_t i = 0; i < n; ++i) y[i] = 1.0f / (1.0f + std::exp(-y[i]));
      return;
    case Activation::Tanh:
      for (std::size_t i = 0; i < n; ++i) y[i] = std::tanh(y[i]);
      return;
    case Activation::Softmax: softmax_rows(y, rows, cols); return;
  }
}

void activation_backward(Activation act, float* dy, const float* y, std::size_t rows,
                         std::size_t cols) {
  const std::size_t n = rows * cols;
  switch (act) {
    case Activation::Linear: return;
    case Activation::Relu:
      for (std::size_t i = 0; i < n; ++i) dy[i] = y[i] > 0.0f ? dy[i] : 0.0f;
      return;
    case Activation::Sigmoid:
      for (std::size_t i = 0; i < n; ++i) dy[i] *= y[i] * (1.0f - y[i]);
      return;
    case Activation::Tanh:
      for (std::size_t i = 0; i < n; ++i) dy[i] *= 1.0f - y[i] * y[i];
      return;
    case Activation::Softmax:
      for (std::size_t r = 0; r < rows; ++r) {
        float* d = dy + r * cols;
        const float* p = y + r * cols;
        float dot = 0.0f;
        for (std::size_t c = 0; c < cols; ++c) dot += d[c] * p[c];
        for (std::size_t c = 0; c < cols; ++c) d[c] = p[c] * (d[c] - dot);
      }
      return;
  }
}

}  // namespace mnisttrain::nn
