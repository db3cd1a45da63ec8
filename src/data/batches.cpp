// Shuffled mini-batches with per-batch float conversion; see batches.h.
#include "data/batches.h"

#include "checked_size.h"
#include "error.h"
#include "pixels.h"
#include "random.h"

#include <algorithm>
#include <numeric>

namespace mnisttrain::data {

static constexpr std::uint64_t kShuffleStream = 1;

void scale_pixels(const std::uint8_t* pixels, std::size_t n, float* x) {
  for (std::size_t i = 0; i < n; ++i) x[i] = scaled_pixel(pixels[i]);
}

BatchIterator::BatchIterator(const Dataset& data, std::size_t batch_size)
    : data_(data), batch_size_(batch_size), order_(data.count) {
  if (batch_size == 0) throw Error("batch size must be positive");
  const std::size_t rows = std::min(batch_size, std::max<std::size_t>(data.count, 1));
  x_.resize(checked_mul(rows, data.features(), "batch input buffer"));
  images_.resize(rows);
  labels_.resize(rows);
  onehot_.resize(checked_mul(rows, static_cast<std::size_t>(data.num_classes), "batch label buffer"));
  unshuffle();
}

std::size_t BatchIterator::num_batches() const {
  return (data_.count + batch_size_ - 1) / batch_size_;
}

void BatchIterator::unshuffle() { std::iota(order_.begin(), order_.end(), 0u); }

void BatchIterator::shuffle(std::uint64_t seed, std::uint64_t epoch) {
  unshuffle();
  Rng rng(derive_seed(seed, kShuffleStream, epoch));
  for (std::size_t i = order_.size(); i > 1; --i) {
    std::swap(order_[i - 1], order_[rng.below(i)]);
  }
}

Batch BatchIterator::batch(std::size_t index) {
  if (index >= num_batches()) {
    throw Error("batch " + std::to_string(index) + " out of range (" +
                std::to_string(num_batches()) + " batches)");
  }
  const std::size_t first = index * batch_size_;
  const std::size_t size = std::min(batch_size_, data_.count - first);
  const std::size_t features = data_.features();
  const auto classes = static_cast<std::size_t>(data_.num_classes);
  std::fill(onehot_.begin(), onehot_.begin() + static_cast<std::ptrdiff_t>(size * classes), 0.0f);
  for (std::size_t row = 0; row < size; ++row) {
    const std::uint32_t sample = order_[first + row];
    images_[row] = data_.image(sample);
    if (floats_) scale_pixels(images_[row], features, x_.data() + row * features);
    labels_[row] = data_.labels[sample];
    onehot_[row * classes + data_.labels[sample]] = 1.0f;
  }
  return Batch{size, floats_ ? x_.data() : nullptr, images_.data(), labels_.data(), onehot_.data()};
}

}  // namespace mnisttrain::data
