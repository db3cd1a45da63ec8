// Mini-batches: the notes' "reshape" (28x28 -> 784 floats scaled to [0,1]) and "one-hot"
// (label 3 -> [0,0,0,1,0,0,0,0,0,0]) steps, done one batch at a time into buffers allocated
// once. The order is a seeded shuffle per epoch, the same on every machine.
#pragma once

#include "data/dataset.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mnisttrain::data {

// x = pixel / 255 for n pixels, exactly as Keras's x.astype("float32") / 255.
void scale_pixels(const std::uint8_t* pixels, std::size_t n, float* x);

struct Batch {
  std::size_t size = 0;         // rows in this batch; the last batch may be partial
  const float* x = nullptr;     // (size, features), pixel / 255; null when not converted
  const std::uint8_t* const* images = nullptr;  // (size) the samples' pixel rows, as stored
  const std::int32_t* labels = nullptr;  // (size,) class indices
  const float* onehot = nullptr;         // (size, num_classes)
};

class BatchIterator {
 public:
  BatchIterator(const Dataset& data, std::size_t batch_size);

  // ceil(count / batch_size): 60,000 / 128 gives 469, the last holding 96 samples.
  std::size_t num_batches() const;
  std::size_t batch_size() const { return batch_size_; }

  // The order for one epoch: a Fisher-Yates shuffle seeded by (seed, epoch) alone, so an epoch's
  // order does not depend on earlier epochs and a resumed run sees the same batches.
  void shuffle(std::uint64_t seed, std::uint64_t epoch);
  void unshuffle();  // identity order, for evaluation
  const std::vector<std::uint32_t>& order() const { return order_; }

  // Converts batch `index` of the current order into the internal buffers and returns views
  // that stay valid until the next call.
  Batch batch(std::size_t index);
  // Whether batch() converts the pixels to floats (on by default); off, Batch::x is null and
  // the network reads the images' bytes (nn::Network::needs_float_input()).
  void convert_to_floats(bool on) { floats_ = on; }

 private:
  const Dataset& data_;
  std::size_t batch_size_;
  std::vector<std::uint32_t> order_;
  bool floats_ = true;
  std::vector<const std::uint8_t*> images_;
  std::vector<float> x_;
  std::vector<std::int32_t> labels_;
  std::vector<float> onehot_;
};

}  // namespace mnisttrain::data
