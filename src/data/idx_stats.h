// What `info` shows about an IDX file, computed in one streaming pass: memory stays constant
// whatever the file's size (a decompression bomb costs time bounded by the 4 GiB data limit,
// never memory). NaN values are counted apart, so min/max never hide them.
#pragma once

#include "data/idx.h"

#include <cstdint>
#include <map>
#include <string>

namespace mnisttrain::data {

// At most this many distinct values are counted for a label-like file (rank 1, integer type).
constexpr std::size_t kMaxCountedLabels = 1024;

struct IdxStats {
  IdxArray header;  // type, dims, gzipped; no bytes
  std::uint64_t data_bytes = 0;
  std::uint64_t count = 0;      // elements
  std::uint64_t nan_count = 0;  // float types only
  double min = 0.0;             // over the non-NaN elements (0 when there are none)
  double max = 0.0;
  bool label_like = false;          // rank 1, integer type: per-value counts below
  bool too_many_labels = false;     // more than kMaxCountedLabels distinct values
  std::map<long, std::uint64_t> label_counts;
};

IdxStats scan_idx(const std::string& path);

}  // namespace mnisttrain::data
