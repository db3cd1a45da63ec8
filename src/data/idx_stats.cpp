// The streaming pass behind `info`; see idx_stats.h.
#include "data/idx_stats.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace mnisttrain::data {
namespace {

void add_value(IdxStats& stats, double v) {
  if (std::isnan(v)) {
    ++stats.nan_count;
    return;
  }
  const bool first = stats.count == stats.nan_count;  // no non-NaN value seen yet
  stats.min = first ? v : std::min(stats.min, v);
  stats.max = first ? v : std::max(stats.max, v);
  if (!stats.label_like || stats.too_many_labels) return;
  const auto label = static_cast<long>(v);
  auto found = stats.label_counts.find(label);
  if (found != stats.label_counts.end()) {
    ++found->second;
  } else if (stats.label_counts.size() < kMaxCountedLabels) {
    stats.label_counts.emplace(label, 1);
  } else {
    stats.too_many_labels = true;
    stats.label_counts.clear();
  }
}

// Bytes that are not labels (an image file's pixels): their extremes in one pass the compiler
// vectorizes, which made `info` on MNIST's training images 3x faster than decoding each value.
void add_pixels(IdxStats& stats, const std::uint8_t* bytes, std::size_t n) {
  if (n == 0) return;
  std::uint8_t lo = bytes[0], hi = bytes[0];
  for (std::size_t i = 0; i < n; ++i) {
    lo = std::min(lo, bytes[i]);
    hi = std::max(hi, bytes[i]);
  }
  // The extremes stand for all n values: min and max need nothing else (the count follows
  // each value, as add_value expects).
  add_value(stats, lo);
  ++stats.count;
  add_value(stats, hi);
  stats.count += n - 1;
}

}  // namespace

IdxStats scan_idx(const std::string& path) {
  IdxReader reader(path);
  IdxStats stats;
  stats.header = reader.header();
  stats.data_bytes = reader.data_bytes();
  const IdxType type = stats.header.type;
  stats.label_like = stats.header.dims.size() == 1 && type != IdxType::Float32 && type != IdxType::Float64;

  const std::size_t element = type_size(type);
  IdxArray chunk;  // reuses IdxArray::value for the element decoding
  chunk.type = type;
  chunk.bytes.resize((std::size_t{1} << 20) / element * element);
  std::uint64_t left = stats.data_bytes;
  while (left > 0) {
    const std::size_t got = reader.read_data(chunk.bytes.data(), static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk.bytes.size())));
    left -= got;
    if (type == IdxType::UInt8 && !stats.label_like) {
      add_pixels(stats, chunk.bytes.data(), got);
      continue;
    }
    for (std::size_t i = 0; i < got / element; ++i) {
      add_value(stats, chunk.value(i));
      ++stats.count;
    }
  }
  reader.finish();
  return stats;
}

}  // namespace mnisttrain::data
