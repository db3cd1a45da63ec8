// Activation forward/backward; see activation.h.
#include "nn/activation.h"

#include <algorithm>
#include <cmath>

namespace mnisttrain::nn {

template <typename T>
static void softmax_rows(T* y, std::size_t rows, std::size_t cols) {
  for (std::size_t r = 0; r < rows; ++r) {
    T* row = y + r * cols;
    const T max = *std::max_element(row, row + cols);
    T sum = 0;
    for (std::size_t c = 0; c < cols; ++c) {
      row[c] = std::exp(row[c] - max);  // exp(z - max) <= 1: no overflow for large logits
      sum += row[c];
    }
    const T inv = T(1) / sum;
    for (std::size_t c = 0; c < cols; ++c) row[c] *= inv;
  }
}

template <typename T>
void activation_forward(Activation act, T* y, std::size_t rows, std::size_t cols) {
  const std::size_t n = rows * cols;
  switch (act) {
    case Activation::Linear: return;
    case Activation::Relu:
      for (std::size_t i = 0; i < n; ++i) y[i] = y[i] > T(0) ? y[i] : T(0);
      return;
    case Activation::Sigmoid:
      for (std::size_t i = 0; i < n; ++i) y[i] = T(1) / (T(1) + std::exp(-y[i]));
      return;
    case Activation::Tanh:
      for (std::size_t i = 0; i < n; ++i) y[i] = std::tanh(y[i]);
      return;
    case Activation::Softmax: softmax_rows(y, rows, cols); return;
  }
}

template void activation_forward<float>(Activation, float*, std::size_t, std::size_t);
template void activation_forward<double>(Activation, double*, std::size_t, std::size_t);

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

void activation_layer_forward(float* out, const float* inp, Activation act, std::size_t B,
                              std::size_t C) {
  std::copy(inp, inp + B * C, out);
  activation_forward(act, out, B, C);
}


}  // namespace mnisttrain::nn
