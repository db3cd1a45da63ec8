// Helpers shared by the tests: a scratch folder removed at scope exit, raw file writes, a
// check that a call throws mnisttrain::Error whose message contains given fragments, a small
// synthetic IDX data set and a transposed copy of it, and metrics.jsonl with its timing fields removed.
#pragma once

#include "data/idx.h"
#include "error.h"
#include "random.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fixtures {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mnisttrain-test-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline void write_gzip(const std::string& path, const std::string& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(file);
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The message of the mnisttrain::Error that `call` throws; fails the test if it throws nothing.
template <typename Call>
std::string error_of(Call&& call) {
  try {
    call();
  } catch (const mnisttrain::Error& e) {
    return e.what();
  }
  FAIL("expected mnisttrain::Error, nothing was thrown");
  return {};
}

// 4x4 images of 3 classes: class k lights up row k (plus noise), so a small net learns it.
// With `blank_background` the other rows are zero, as MNIST's background is (the sparse path).
inline void write_synthetic(const TempDir& dir, const std::string& prefix, std::uint32_t n, std::uint64_t seed,
                            bool blank_background = false) {
  mnisttrain::Rng rng(seed);
  std::vector<std::uint8_t> images, labels;
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto label = static_cast<std::uint8_t>(rng.below(3));
    labels.push_back(label);
    for (int r = 0; r < 4; ++r) {
      for (int c = 0; c < 4; ++c) {
        const int base = r == label ? 200 : 20;
        const bool blank = blank_background && r != label;
        images.push_back(static_cast<std::uint8_t>(blank ? 0 : base + rng.below(50)));
      }
    }
  }
  mnisttrain::data::write_idx(dir.file(prefix + "-images"), mnisttrain::data::make_uint8_array({n, 4, 4}, images));
  mnisttrain::data::write_idx(dir.file(prefix + "-labels"), mnisttrain::data::make_uint8_array({n}, labels));
}

// A copy of an IDX image file with every image's rows and columns swapped, as EMNIST stores
// its images (done here by hand, not by the code under test).
inline void write_transposed(const std::string& from, const std::string& to) {
  const mnisttrain::data::IdxArray upright = mnisttrain::data::read_idx(from);
  const std::uint32_t n = upright.dims[0], rows = upright.dims[1], cols = upright.dims[2];
  std::vector<std::uint8_t> stored(upright.bytes.size());
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t c = 0; c < cols; ++c) stored[(i * cols + c) * rows + r] = upright.bytes[(i * rows + r) * cols + c];
    }
  }
  mnisttrain::data::write_idx(to, mnisttrain::data::make_uint8_array({n, cols, rows}, stored));
}

// The synthetic train (300) and test (90) sets, upright and, under "t-" names, stored transposed:
// the same task twice, for data.transpose.
inline void write_upright_and_transposed(const TempDir& dir) {
  write_synthetic(dir, "train", 300, 1);
  write_synthetic(dir, "test", 90, 2);
  write_transposed(dir.file("train-images"), dir.file("t-train-images"));
  write_transposed(dir.file("test-images"), dir.file("t-test-images"));
}

// metrics.jsonl without the fields that measure time, one line per epoch.
inline std::string metrics_without_timing(const std::string& path) {
  const std::string text = read_bytes(path);
  std::string out;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    auto j = nlohmann::json::parse(text.substr(start, end - start));
    j.erase("seconds");
    j.erase("samples_per_second");
    out += j.dump() + "\n";
  }
  return out;
}

}  // namespace fixtures
