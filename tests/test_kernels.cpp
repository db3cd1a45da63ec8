// The compute kernels against their plain references, on real MNIST batches where the data is
// there: partitions, the worker pool, the sparse first-layer products and their independence
// from how the work is split between threads.
#include "data/batches.h"
#include "data/dataset.h"
#include "kernels/denormals.h"
#include "kernels/gemm.h"
#include "kernels/matmul.h"
#include "kernels/narrow_dense.h"
#include "kernels/partition.h"
#include "kernels/pool.h"
#include "kernels/shared_items.h"
#include "kernels/sparse_dense.h"
#include "kernels/update.h"
#include "pixels.h"
#include "random.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <filesystem>
#include <thread>
#include <vector>

using namespace mnisttrain;
using kernels::Range;

namespace {

// B real training images as bytes (B, 784); MNIST-like sparse rows when the data has not been
// fetched.
std::vector<std::uint8_t> real_images(std::size_t B) {
  const std::string dir = std::string(MNISTTRAIN_SOURCE_DIR) + "/data/mnist/";
  if (std::filesystem::exists(dir + "train-images-idx3-ubyte")) {
    const data::Dataset d =
        data::load_dataset(dir + "train-images-idx3-ubyte", dir + "train-labels-idx1-ubyte", 10);
    return {d.image(1000), d.image(1000) + B * 784};
  }
  Rng rng(6);
  std::vector<std::uint8_t> pixels(B * 784);
  for (auto& v : pixels) v = rng.uniform() < 0.2f ? static_cast<std::uint8_t>(1 + rng.below(255)) : 0;
  return pixels;
}

// The same images as (B, 784) floats, pixel / 255.
std::vector<float> real_batch(std::size_t B) {
  const std::vector<std::uint8_t> pixels = real_images(B);
  std::vector<float> x(pixels.size());
  data::scale_pixels(pixels.data(), pixels.size(), x.data());
  return x;
}

// x (B, C) compressed, with panels for products of up to OC units.
kernels::SparseBatch compressed(const std::vector<float>& x, std::size_t B, std::size_t C, std::size_t OC) {
  kernels::SparseBatch sparse;
  sparse.reserve(B, C, OC);
  sparse.build(x.data(), B, C);
  return sparse;
}

// B rows of C bytes stored by column as `shares` threads do it: each transposes its share of
// the pixels (in bands of 16), with panels for products of up to OC units. The batch held 128
// rows of 255s before, as when a network's last batch of an epoch is the smaller one.
kernels::SparseBatch compressed_in_shares(const std::vector<const std::uint8_t*>& rows, std::size_t B, std::size_t C,
                                          std::size_t OC, int shares, bool ones = false) {
  kernels::SparseBatch sparse;
  const std::size_t before = 128;
  sparse.reserve(std::max(B, before), C, OC, 0, ones);
  const std::vector<std::uint8_t> lit_everywhere(C, 255);
  const std::vector<const std::uint8_t*> full(before, lit_everywhere.data());
  sparse.build(full.data(), before, C);
  sparse.start(B, C);
  for (int s = 0; s < shares; ++s) sparse.transpose_columns(rows.data(), kernels::split_range(C, s, shares, 16));
  return sparse;
}

std::vector<float> random_values(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(n);
  for (auto& e : v) e = rng.uniform() - 0.5f;
  return v;
}

double max_abs_difference(const std::vector<float>& a, const std::vector<float>& b) {
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(double(a[i]) - b[i]));
  return worst;
}

}  // namespace

TEST_CASE("split_range deals out 0..n in contiguous aligned shares") {
  for (std::size_t n : {0, 1, 10, 16, 512, 1000}) {
    for (int nth : {1, 2, 3, 4}) {
      std::size_t next = 0;
      for (int ith = 0; ith < nth; ++ith) {
        const Range r = kernels::split_range(n, ith, nth, 16);
        CHECK(r.begin == next);
        CHECK((r.begin % 16 == 0 || r.begin == n));
        next = r.end;
      }
      CHECK(next == n);
    }
  }
  CHECK(kernels::split_range(512, 1, 2, 16).begin == 256);
}

TEST_CASE("WorkerPool runs every share once per call and waits for all of them") {
  for (int threads : {1, 2, 3}) {
    kernels::WorkerPool pool(threads);
    REQUIRE(pool.size() == threads);
    std::vector<int> calls(static_cast<std::size_t>(threads), 0);
    std::atomic<int> total{0};
    for (int round = 0; round < 1000; ++round) {
      auto task = [&](int ith, int nth) {
        CHECK(nth == threads);
        ++calls[static_cast<std::size_t>(ith)];
        total.fetch_add(1);
      };
      pool.run(task);
      REQUIRE(total.load() == (round + 1) * threads);  // run() returned only after every share
    }
    for (int c : calls) CHECK(c == 1000);
  }
}

TEST_CASE("TwoEndedItems hands out every item once, each thread from its own end") {
  kernels::TwoEndedItems items;
  std::size_t item = 0;
  std::vector<std::size_t> taken;
  while (items.take(0, 5, item)) taken.push_back(item);  // one thread: all, in order
  CHECK(taken == std::vector<std::size_t>{0, 1, 2, 3, 4});
  CHECK_FALSE(items.take(1, 5, item));
  items.reset();
  CHECK_FALSE(items.take(0, 0, item));  // no items at all
  items.reset();
  REQUIRE(items.take(1, 3, item));
  CHECK(item == 2);  // an odd thread starts at the back

  const std::size_t n = 37;
  for (int threads : {2, 3}) {
    kernels::WorkerPool pool(threads);
    for (int round = 0; round < 300; ++round) {
      std::vector<std::vector<std::size_t>> by_thread(static_cast<std::size_t>(threads));
      items.reset();
      auto task = [&](int ith, int) {
        std::size_t next = 0;
        while (items.take(ith, n, next)) by_thread[static_cast<std::size_t>(ith)].push_back(next);
      };
      pool.run(task);
      std::vector<int> times(n, 0);
      for (const auto& mine : by_thread) {
        for (std::size_t i : mine) ++times[i];
      }
      REQUIRE(std::count(times.begin(), times.end(), 1) == static_cast<std::ptrdiff_t>(n));
      if (threads == 2) {  // thread 0 holds a prefix, going up; thread 1 the rest, going down
        const std::vector<std::size_t>& front = by_thread[0];
        for (std::size_t k = 0; k < front.size(); ++k) REQUIRE(front[k] == k);
        const std::vector<std::size_t>& back = by_thread[1];
        for (std::size_t k = 0; k < back.size(); ++k) REQUIRE(back[k] == n - 1 - k);
      }
    }
  }
  // A thread that comes late finds its end taken over by the other.
  kernels::WorkerPool pool(2);
  std::atomic<bool> first_done{false};
  std::vector<std::size_t> counts(2, 0);
  items.reset();
  auto task = [&](int ith, int) {
    if (ith == 1) {
      while (!first_done.load()) std::this_thread::yield();
    }
    std::size_t next = 0;
    while (items.take(ith, n, next)) ++counts[static_cast<std::size_t>(ith)];
    if (ith == 0) first_done.store(true);
  };
  pool.run(task);
  CHECK(counts[0] == n);
  CHECK(counts[1] == 0);
}

TEST_CASE("denormals are flushed to zero on the caller and on the pool's threads") {
  // tests/main.cpp sets the mode before any thread starts, as the command line does.
  REQUIRE(kernels::flushes_denormals());
  kernels::WorkerPool pool(3);
  std::vector<int> flushes(3, 0);
  std::vector<float> product(3, 1.0f);
  volatile float tiny = 1e-30f;  // volatile: computed at run time, under the thread's mode
  auto task = [&](int ith, int) {
    flushes[static_cast<std::size_t>(ith)] = kernels::flushes_denormals();
    product[static_cast<std::size_t>(ith)] = tiny * tiny;  // 1e-60: below even the denormals
    product[static_cast<std::size_t>(ith)] += tiny * 1e-9f;  // 1e-39: a denormal, flushed
  };
  pool.run(task);
  CHECK(flushes == std::vector<int>{1, 1, 1});
  CHECK(product == std::vector<float>{0.0f, 0.0f, 0.0f});
}

TEST_CASE("the pixel value table holds scaled_pixel of every byte") {
  for (int v = 0; v < 256; ++v) {
    INFO("byte " << v);
    CHECK(kPixelValues[static_cast<std::size_t>(v)] == scaled_pixel(static_cast<std::uint8_t>(v)));
    CHECK(kPixelValues[static_cast<std::size_t>(v)] == static_cast<float>(v) / 255.0f);
  }
}

TEST_CASE("SparseBatch stores every pixel by column, with masks of exactly its non-zero samples") {
  // A real MNIST batch, and an odd width (37 pixels: a band of 16, then one of 5 at the edge)
  // with values that include -0.0 (zero) and a NaN (non-zero); 9 samples leave a block padded.
  std::vector<float> odd = random_values(9 * 37, 11);
  for (std::size_t i = 0; i < odd.size(); i += 3) odd[i] = 0.0f;
  odd[4] = -0.0f;
  odd[5] = std::numeric_limits<float>::quiet_NaN();
  struct Case {
    std::vector<float> x;
    std::size_t B, C;
  };
  for (const Case& c : {Case{real_batch(128), 128, 784}, Case{odd, 9, 37}}) {
    const std::size_t B = c.B, C = c.C;
    INFO(B << " x " << C);
    const kernels::SparseBatch sparse = compressed(c.x, B, C, 0);
    REQUIRE(sparse.stride == (B + 63) / 64 * 64);
    std::size_t nonzero = 0;
    for (float v : c.x) nonzero += v != 0.0f;
    CHECK(sparse.nonzeros() == nonzero);
    if (C == 784) CHECK(nonzero < B * C / 3);  // MNIST: about 19% of pixels are non-zero
    std::size_t wrong_values = 0, wrong_bits = 0;
    for (std::size_t p = 0; p < C; ++p) {
      for (std::size_t b = 0; b < sparse.stride; ++b) {
        const float value = sparse.value(b, p);
        const float expected = b < B ? c.x[b * C + p] : 0.0f;  // as stored: -0.0 and NaN kept
        wrong_values += std::memcmp(&value, &expected, sizeof value) != 0;
        const bool lit = (sparse.lit_samples(p, b / 64) >> (b % 64)) & 1;
        wrong_bits += lit != (b < B && c.x[b * C + p] != 0.0f);
      }
    }
    CHECK(wrong_values == 0);
    CHECK(wrong_bits == 0);
  }
}

TEST_CASE("SparseBatch from 8-bit images, in shares as threads build it, equals the plain build from the scaled floats") {
  // Real MNIST rows (or MNIST-like ones); 100 rows leave a tail after the 16-row tiles (70 rows
  // end in the second block of samples), 37 pixels a band of 5 at the edge and an odd last
  // pixel; 16 x 16 pixels hold every byte value; 1, 2 and 3 shares of the pixels. The products
  // of both builds have the same bits.
  struct Case {
    std::vector<std::uint8_t> pixels;
    std::size_t B, C;
  };
  std::vector<std::uint8_t> odd(21 * 37);
  Rng rng(12);
  for (auto& v : odd) v = rng.uniform() < 0.4f ? static_cast<std::uint8_t>(1 + rng.below(255)) : 0;
  std::vector<std::uint8_t> every_value(256);  // each byte once: the scaling is exact for all
  for (std::size_t i = 0; i < every_value.size(); ++i) every_value[i] = static_cast<std::uint8_t>(i);
  for (const Case& c : {Case{every_value, 16, 16}, Case{real_images(128), 128, 784}, Case{real_images(100), 100, 784}, Case{real_images(70), 70, 784}, Case{odd, 21, 37}}) {
    const std::size_t B = c.B, C = c.C, OC = 40;
    std::vector<float> x(B * C);
    data::scale_pixels(c.pixels.data(), x.size(), x.data());
    const kernels::SparseBatch plain = compressed(x, B, C, OC);
    std::vector<const std::uint8_t*> rows(B);
    for (std::size_t b = 0; b < B; ++b) rows[b] = c.pixels.data() + b * C;
    const std::vector<float> weight = random_values(C * OC, 7), dout = random_values(B * OC, 8);
    std::vector<float> out_plain(B * OC), out_built(B * OC), dw_plain(C * OC), dw_built(C * OC);
    kernels::sparse_dense_forward(out_plain.data(), plain, weight.data(), nullptr, OC);
    kernels::pack_gradient_panels(plain, dout.data(), OC, {0, B});
    kernels::sparse_dense_backward_weight(dw_plain.data(), plain, OC, {0, C});
    for (int shares : {1, 2, 3}) {
      INFO(B << " x " << C << ", " << shares << " shares");
      const kernels::SparseBatch built = compressed_in_shares(rows, B, C, OC, shares);
      REQUIRE(built.stride == plain.stride);
      CHECK(std::equal(plain.lit.begin(), plain.lit.begin() + C * plain.sample_blocks(), built.lit.begin()));
      std::size_t wrong_values = 0;
      for (std::size_t p = 0; p < C; ++p) {
        for (std::size_t b = 0; b < built.stride; ++b) {
          const float a = built.value(b, p), e = plain.value(b, p);
          wrong_values += std::memcmp(&a, &e, sizeof a) != 0;
        }
      }
      CHECK(wrong_values == 0);
      kernels::sparse_dense_forward(out_built.data(), built, weight.data(), nullptr, OC);
      kernels::pack_gradient_panels(built, dout.data(), OC, {0, B});
      kernels::sparse_dense_backward_weight(dw_built.data(), built, OC, {0, C});
      CHECK(std::memcmp(out_built.data(), out_plain.data(), out_plain.size() * sizeof(float)) == 0);
      CHECK(std::memcmp(dw_built.data(), dw_plain.data(), dw_plain.size() * sizeof(float)) == 0);
    }
  }
}

// A weight-gradient sink's take(): RMSprop element by element on the rows handed over, the
// plain rule the kernel's own vectors must match bit for bit.
struct ElementwiseRmsprop {
  float *w, *v;
  float lr, rho, eps;
  static void take(void* context, std::size_t offset, const float* gradient, std::size_t count) {
    auto* self = static_cast<ElementwiseRmsprop*>(context);
    kernels::rmsprop_elements(self->w + offset, gradient, self->v + offset, count, self->lr, self->rho, self->eps);
  }
};

TEST_CASE("sparse first-layer products match the dense reference on a real batch") {
  // 200 (with AVX-512): a whole 128-unit panel, then 72 units vector by vector, the last half full;
  // 10: a single partial vector.
  const std::size_t B = 128, C = 784;
  const std::size_t OC = GENERATE(200, 10);
  INFO("units " << OC);
  const std::vector<float> x = real_batch(B);
  const std::vector<float> weight = random_values(C * OC, 1), bias = random_values(OC, 2);
  const std::vector<float> dout = random_values(B * OC, 3);
  kernels::SparseBatch sparse = compressed(x, B, C, OC);

  std::vector<float> out(B * OC), expected(B * OC);
  kernels::sparse_dense_forward(out.data(), sparse, weight.data(), bias.data(), OC);
  kernels::dense_forward_reference(expected.data(), x.data(), weight.data(), bias.data(), B, C, OC);
  // float sums of ~150 products of size <= 0.5 against double: within a few float ulps of ~10
  CHECK(max_abs_difference(out, expected) < 1e-5);

  std::vector<float> dweight(C * OC, 7.0f), expected_dweight(C * OC);
  kernels::pack_gradient_panels(sparse, dout.data(), OC, {0, B});
  kernels::sparse_dense_backward_weight(dweight.data(), sparse, OC, {0, C});
  kernels::dense_backward_weight_reference(expected_dweight.data(), x.data(), dout.data(), B, C, OC);
  CHECK(max_abs_difference(dweight, expected_dweight) < 1e-5);
  CHECK(dweight[0] == 0.0f);  // pixel 0 is blank in every MNIST image: its row is exactly zero
}

TEST_CASE("the sparse forward walks an odd last pixel alone and matches the reference") {
  const std::size_t B = 40, C = 37, OC = 24;
  std::vector<float> x = random_values(B * C, 12);
  for (std::size_t i = 0; i < x.size(); i += 2) x[i] = 0.0f;  // half the pixels blank
  const std::vector<float> weight = random_values(C * OC, 13), bias = random_values(OC, 14);
  kernels::SparseBatch sparse = compressed(x, B, C, OC);
  std::vector<float> out(B * OC), expected(B * OC);
  kernels::sparse_dense_forward(out.data(), sparse, weight.data(), bias.data(), OC);
  kernels::dense_forward_reference(expected.data(), x.data(), weight.data(), bias.data(), B, C, OC);
  CHECK(max_abs_difference(out, expected) < 1e-5);
  // Only the last pixel lit: every output is bias + x * w of that pixel, from the single path.
  std::vector<float> last_only(B * C, 0.0f);
  for (std::size_t b = 0; b < B; ++b) last_only[b * C + C - 1] = 0.5f;
  sparse.build(last_only.data(), B, C);
  kernels::sparse_dense_forward(out.data(), sparse, weight.data(), bias.data(), OC);
  for (std::size_t j = 0; j < OC; ++j) CHECK(out[3 * OC + j] == bias[j] + 0.5f * weight[(C - 1) * OC + j]);
}

TEST_CASE("RMSprop applied inside the sparse weight gradient gives the bits of the separate update") {
  // 200 units: a whole panel through the kernel's own RMSprop, 72 more through take(); three
  // shares of pixels, so that a share's last row is flushed at its end. Pixel 0 is blank in
  // every MNIST image: its rows only decay v.
  const std::size_t B = 128, C = 784, OC = 200;
  const std::vector<float> x = real_batch(B);
  const std::vector<float> dout = random_values(B * OC, 31);
  kernels::SparseBatch sparse = compressed(x, B, C, OC);
  kernels::pack_gradient_panels(sparse, dout.data(), OC, {0, B});
  std::vector<float> dweight(C * OC);
  kernels::sparse_dense_backward_weight(dweight.data(), sparse, OC, {0, C});

  const float lr = 0.001f, rho = 0.9f, eps = 1e-7f;
  std::vector<float> w = random_values(C * OC, 32), v = random_values(C * OC, 33);
  for (float& value : v) value = value * value;  // moments are squares
  const std::vector<float> w_start = w, v_start = v;
  std::vector<float> w_expected = w, v_expected = v;
  kernels::rmsprop_elements(w_expected.data(), dweight.data(), v_expected.data(), C * OC, lr, rho, eps);

  ElementwiseRmsprop rest{w.data(), v.data(), lr, rho, eps};  // what take() gets
  const kernels::RmspropVectors rule{w.data(), v.data(), lr, rho, eps};
  const kernels::GradientSink sink{&ElementwiseRmsprop::take, &rest, &rule};
  for (int ith = 0; ith < 3; ++ith) {
    kernels::sparse_dense_backward_weight(nullptr, sparse, OC, kernels::split_range(C, ith, 3), &sink);
  }
  // Counted, not compared whole: a failure then prints two numbers, not 156,800 floats.
  std::size_t w_differ = 0, v_differ = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    w_differ += w[i] != w_expected[i];
    v_differ += v[i] != v_expected[i];
  }
  CHECK(w_differ == 0);
  CHECK(v_differ == 0);
  // Pixel 0's row: w kept, v decayed; a lit pixel's row moved.
  CHECK(w[5] == w_start[5]);
  CHECK(v[5] == rho * v_start[5]);
  CHECK(w[400 * OC + 5] != w_start[400 * OC + 5]);
}

TEST_CASE("the ones column makes the bias gradient as the row after the kernel's, with the bits of the plain sum") {
  // 200 units: a whole panel through the kernel's own RMSprop, 72 more through take(). The batch
  // is compressed from its bytes in two shares, as two threads do it.
  const std::size_t B = 128, C = 784, OC = 200;
  const std::vector<std::uint8_t> pixels = real_images(B);
  std::vector<const std::uint8_t*> images(B);
  for (std::size_t b = 0; b < B; ++b) images[b] = pixels.data() + b * C;
  const kernels::SparseBatch with_ones = compressed_in_shares(images, B, C, OC, 2, true);
  REQUIRE(with_ones.gradient_rows() == C + 1);
  REQUIRE(with_ones.lit_samples(C, 0) == ~std::uint64_t{0});
  REQUIRE(with_ones.lit_samples(C, 1) == ~std::uint64_t{0});
  REQUIRE(with_ones.value(B - 1, C) == 1.0f);
  const kernels::SparseBatch without = compressed(real_batch(B), B, C, OC);
  REQUIRE(with_ones.nonzeros() == without.nonzeros());

  const std::vector<float> dout = random_values(B * OC, 41);
  std::vector<float> bias_gradient(OC, 0.0f);  // what dense layers sum: samples in order
  for (std::size_t b = 0; b < B; ++b) {
    for (std::size_t j = 0; j < OC; ++j) bias_gradient[j] += dout[b * OC + j];
  }
  kernels::pack_gradient_panels(with_ones, dout.data(), OC, {0, B});
  kernels::pack_gradient_panels(without, dout.data(), OC, {0, B});
  std::vector<float> dweight((C + 1) * OC, 7.0f), kernel_only(C * OC);
  kernels::sparse_dense_backward_weight(dweight.data(), with_ones, OC, {0, C + 1});
  kernels::sparse_dense_backward_weight(kernel_only.data(), without, OC, {0, C});
  CHECK(std::equal(kernel_only.begin(), kernel_only.end(), dweight.begin()));
  CHECK(std::equal(bias_gradient.begin(), bias_gradient.end(), dweight.begin() + C * OC));

  // Through RMSprop in the kernel, in three shares of the rows: the bias gets the bits of the
  // plain update on its plain gradient.
  const float lr = 0.001f, rho = 0.9f, eps = 1e-7f;
  std::vector<float> w = random_values((C + 1) * OC, 42), v = random_values((C + 1) * OC, 43);
  for (float& value : v) value = value * value;
  std::vector<float> bias_w(w.begin() + C * OC, w.end()), bias_v(v.begin() + C * OC, v.end());
  kernels::rmsprop_elements(bias_w.data(), bias_gradient.data(), bias_v.data(), OC, lr, rho, eps);
  ElementwiseRmsprop rest{w.data(), v.data(), lr, rho, eps};  // what take() gets
  const kernels::RmspropVectors rule{w.data(), v.data(), lr, rho, eps};
  const kernels::GradientSink sink{&ElementwiseRmsprop::take, &rest, &rule};
  for (int ith = 0; ith < 3; ++ith) {
    kernels::sparse_dense_backward_weight(nullptr, with_ones, OC, kernels::split_range(C + 1, ith, 3), &sink);
  }
  CHECK(std::equal(bias_w.begin(), bias_w.end(), w.begin() + C * OC));
  CHECK(std::equal(bias_v.begin(), bias_v.end(), v.begin() + C * OC));
}

TEST_CASE("sparse products give the same bits however the work is split") {
  const std::size_t B = 128, C = 784, OC = 512;
  const std::vector<float> x = real_batch(B);
  const std::vector<float> weight = random_values(C * OC, 4), dout = random_values(B * OC, 5);
  kernels::SparseBatch sparse = compressed(x, B, C, OC);
  std::vector<float> whole(B * OC), split(B * OC), dwhole(C * OC), dsplit(C * OC);
  kernels::sparse_dense_forward(whole.data(), sparse, weight.data(), nullptr, OC);
  kernels::pack_gradient_panels(sparse, dout.data(), OC, {0, B});
  kernels::sparse_dense_backward_weight(dwhole.data(), sparse, OC, {0, C});
  for (int nth : {2, 3}) {
    // Each part's units dealt out in shares, then the parts added in shares of samples.
    for (int part = 0; part < kernels::kForwardParts; ++part) {
      for (int ith = 0; ith < nth; ++ith) {
        const Range units = kernels::split_range(OC, ith, nth, kernels::kLineFloats);
        for (std::size_t block = 0; block < sparse.sample_blocks(); ++block) {
          kernels::sparse_dense_forward_part(sparse, weight.data(), nullptr, OC, part, units, block);
        }
      }
    }
    for (int ith = 0; ith < nth; ++ith) kernels::add_forward_parts(split.data(), sparse, OC, kernels::split_range(B, ith, nth));
    // The forward used the panels as scratch: pack dout again, in shares of samples.
    for (int ith = 0; ith < nth; ++ith) {
      kernels::pack_gradient_panels(sparse, dout.data(), OC, kernels::split_range(B, ith, nth));
    }
    for (int ith = 0; ith < nth; ++ith) {
      kernels::sparse_dense_backward_weight(dsplit.data(), sparse, OC, kernels::split_range(C, ith, nth));
    }
    CHECK(split == whole);
    CHECK(dsplit == dwhole);
    // Handed to a sink in place of being stored: the same rows, each element once.
    std::vector<float> sunk(C * OC, 0.0f);
    std::vector<int> times(C * OC, 0);
    struct Collect {
      std::vector<float>* values;
      std::vector<int>* times;
      static void take(void* context, std::size_t offset, const float* gradient, std::size_t count) {
        auto* self = static_cast<Collect*>(context);
        for (std::size_t k = 0; k < count; ++k) {
          (*self->values)[offset + k] = gradient[k];
          ++(*self->times)[offset + k];
        }
      }
    } collect{&sunk, &times};
    const kernels::GradientSink sink{&Collect::take, &collect};
    for (int ith = 0; ith < nth; ++ith) {
      kernels::sparse_dense_backward_weight(nullptr, sparse, OC, kernels::split_range(C, ith, nth), &sink);
    }
    CHECK(sunk == dwhole);
    CHECK(std::all_of(times.begin(), times.end(), [](int t) { return t == 1; }));
  }
  // The forward's two parts cover the pixels, cut at the image's centre pixel (row 14, column
  // 14 of 28 x 28), or in the middle of a flat input (rounded down to even: pairs stay whole).
  kernels::SparseBatch image, flat, odd;
  image.reserve(1, 784, 0, 28);
  flat.reserve(1, 784, 0);
  odd.reserve(1, 37, 0);
  image.start(1, 784);
  flat.start(1, 784);
  odd.start(1, 37);
  CHECK(kernels::forward_part(image, 0).begin == 0);
  CHECK(kernels::forward_part(image, 0).end == 14 * 28 + 14);
  CHECK(kernels::forward_part(image, 1).begin == 14 * 28 + 14);
  CHECK(kernels::forward_part(image, 1).end == 784);
  CHECK(kernels::forward_part(flat, 0).end == 392);
  CHECK(kernels::forward_part(odd, 0).end == 18);
  CHECK(kernels::forward_part(odd, 1).end == 37);
}

TEST_CASE("tiled matrix products match the reference for every operand layout and edge size") {
  // Sizes with partial row and column tiles, and the layers' real shapes.
  const std::vector<std::array<std::size_t, 3>> shapes = {{1, 1, 1}, {3, 5, 7}, {9, 33, 17}, {128, 512, 10}, {128, 64, 784}, {13, 100, 40}};
  for (const auto& [M, N, K] : shapes) {
    const std::vector<float> a = random_values(M * K, 6), b = random_values(K * N, 7), c0 = random_values(M * N, 8);
    for (bool accumulate : {false, true}) {
      std::vector<float> nn = c0, tn = c0, nt = c0, expected_nn = c0, expected_tn = c0, expected_nt = c0;
      kernels::gemm_nn(nn.data(), N, a.data(), K, b.data(), N, M, N, K, accumulate);
      kernels::gemm_reference(false, false, expected_nn.data(), N, a.data(), K, b.data(), N, M, N, K, accumulate);
      // the same buffers read as A^T stored (K, M) and B^T stored (N, K)
      kernels::gemm_tn(tn.data(), N, a.data(), M, b.data(), N, M, N, K, accumulate);
      kernels::gemm_reference(true, false, expected_tn.data(), N, a.data(), M, b.data(), N, M, N, K, accumulate);
      kernels::gemm_nt(nt.data(), N, a.data(), K, b.data(), K, M, N, K, accumulate);
      kernels::gemm_reference(false, true, expected_nt.data(), N, a.data(), K, b.data(), K, M, N, K, accumulate);
      INFO("M " << M << " N " << N << " K " << K << " accumulate " << accumulate);
      const double tolerance = 1e-6 * static_cast<double>(K) + 1e-6;  // float sums of K terms < 0.25
      CHECK(max_abs_difference(nn, expected_nn) < tolerance);
      CHECK(max_abs_difference(tn, expected_tn) < tolerance);
      CHECK(max_abs_difference(nt, expected_nt) < tolerance);
    }
  }
}

TEST_CASE("tiled matrix products give the same bits for any block of the result") {
  const std::size_t M = 128, N = 512, K = 300;
  const std::vector<float> a = random_values(M * K, 9), b = random_values(K * N, 10);
  std::vector<float> whole(M * N), by_columns(M * N), by_rows(M * N);
  kernels::gemm_nn(whole.data(), N, a.data(), K, b.data(), N, M, N, K, false);
  for (int ith = 0; ith < 3; ++ith) {
    const Range cols = kernels::split_range(N, ith, 3, kernels::kLineFloats);
    kernels::gemm_nn(by_columns.data() + cols.begin, N, a.data(), K, b.data() + cols.begin, N, M, cols.size(), K, false);
    const Range rows = kernels::split_range(M, ith, 3);
    kernels::gemm_nn(by_rows.data() + rows.begin * N, N, a.data() + rows.begin * K, K, b.data(), N, rows.size(), N, K, false);
  }
  CHECK(by_columns == whole);
  CHECK(by_rows == whole);
}

TEST_CASE("for_each_block gives OpenBLAS fixed blocks whatever the thread count, the tiled kernels one share per thread") {
  for (std::size_t n : {0, 1, 100, 128, 300, 512, 1024}) {
    for (int nth : {1, 2, 3, 4}) {
      std::vector<Range> blas_blocks;
      std::size_t tiled_next = 0;
      for (int ith = 0; ith < nth; ++ith) {
        kernels::for_each_block(kernels::MatmulBackend::Blas, n, ith, nth, kernels::kLineFloats,
                                [&](Range block) { blas_blocks.push_back(block); });
        int tiled_calls = 0;
        kernels::for_each_block(kernels::MatmulBackend::Tiled, n, ith, nth, kernels::kLineFloats, [&](Range block) {
          CHECK(block.begin == tiled_next);
          CHECK(block.begin == kernels::split_range(n, ith, nth, kernels::kLineFloats).begin);
          tiled_next = block.end;
          ++tiled_calls;
        });
        CHECK(tiled_calls <= 1);
      }
      CHECK(tiled_next == n);
      INFO("n " << n << ", " << nth << " threads");
      // Every block starts at a multiple of kBlasBlock and ends at the next one or at n, in order:
      // the same list for any nth.
      REQUIRE(blas_blocks.size() == (n + kernels::kBlasBlock - 1) / kernels::kBlasBlock);
      for (std::size_t i = 0; i < blas_blocks.size(); ++i) {
        CHECK(blas_blocks[i].begin == i * kernels::kBlasBlock);
        CHECK(blas_blocks[i].end == std::min(n, (i + 1) * kernels::kBlasBlock));
      }
    }
  }
}

TEST_CASE("OpenBLAS products in blocks shared among 1, 2 or 3 threads give the same bits and match the reference") {
  // The hidden-to-hidden layer's forward, weight gradient and input gradient, with 300 units
  // (two whole blocks and a short one).
  const std::size_t B = 64, C = 200, OC = 300;
  const std::vector<float> x = random_values(B * C, 11), w = random_values(C * OC, 12), dz = random_values(B * OC, 13);
  std::vector<float> expected_out(B * OC), expected_dw(C * OC), expected_dx(B * C);
  kernels::gemm_reference(false, false, expected_out.data(), OC, x.data(), C, w.data(), OC, B, OC, C, false);
  kernels::gemm_reference(true, false, expected_dw.data(), OC, x.data(), C, dz.data(), OC, C, OC, B, false);
  kernels::gemm_reference(false, true, expected_dx.data(), C, dz.data(), OC, w.data(), OC, B, C, OC, false);
  const auto blas = kernels::MatmulBackend::Blas;
  std::vector<float> first_out, first_dw, first_dx;
  for (int nth : {1, 2, 3}) {
    INFO(nth << " threads");
    std::vector<float> out(B * OC), dw(C * OC), dx(B * C);
    for (int ith = 0; ith < nth; ++ith) {
      kernels::for_each_block(blas, OC, ith, nth, kernels::kLineFloats, [&](Range units) {
        kernels::matmul(blas, false, false, out.data() + units.begin, OC, x.data(), C, w.data() + units.begin, OC,
                        B, units.size(), C, false);
        kernels::matmul(blas, true, false, dw.data() + units.begin, OC, x.data(), C, dz.data() + units.begin, OC,
                        C, units.size(), B, false);
      });
      kernels::for_each_block(blas, C, ith, nth, kernels::kLineFloats, [&](Range inputs) {
        kernels::matmul(blas, false, true, dx.data() + inputs.begin, C, dz.data(), OC, w.data() + inputs.begin * OC,
                        OC, B, inputs.size(), OC, false);
      });
    }
    CHECK(max_abs_difference(out, expected_out) < 1e-4);
    CHECK(max_abs_difference(dw, expected_dw) < 1e-4);
    CHECK(max_abs_difference(dx, expected_dx) < 1e-4);
    if (first_out.empty()) {
      first_out = out, first_dw = dw, first_dx = dx;
    }
    CHECK(out == first_out);
    CHECK(dw == first_dw);
    CHECK(dx == first_dx);
  }
}

TEST_CASE("narrow-layer products match the reference, and give the same bits in any shares") {
  // The output layer's shape, odd sizes with partial groups and vectors, and the widest narrow
  // layer (two vectors per row).
  const std::vector<std::array<std::size_t, 3>> shapes = {
      {128, 512, 10}, {13, 37, 3}, {21, 50, kernels::kNarrowMaxUnits - 3}, {9, 17, kernels::kNarrowMaxUnits}};
  for (const auto& [B, K, N] : shapes) {
    INFO("B " << B << " K " << K << " N " << N);
    const std::vector<float> x = random_values(B * K, 21), w = random_values(K * N, 22);
    const std::vector<float> bias = random_values(N, 23), dout = random_values(B * N, 24);
    std::vector<float> out(B * N), dw(K * N), dx(B * K);
    std::vector<float> expected_out(B * N), expected_dw(K * N), expected_dx(B * K);
    kernels::narrow_forward(out.data(), x.data(), w.data(), bias.data(), K, N, {0, B});
    for (std::size_t b = 0; b < B; ++b) std::copy(bias.begin(), bias.end(), expected_out.begin() + static_cast<std::ptrdiff_t>(b * N));
    kernels::gemm_reference(false, false, expected_out.data(), N, x.data(), K, w.data(), N, B, N, K, true);
    kernels::narrow_weight_gradient(dw.data(), x.data(), dout.data(), B, K, N, {0, K});
    kernels::gemm_reference(true, false, expected_dw.data(), N, x.data(), K, dout.data(), N, K, N, B, false);
    kernels::narrow_input_gradient(dx.data(), dout.data(), w.data(), K, N, {0, B});
    kernels::gemm_reference(false, true, expected_dx.data(), K, dout.data(), N, w.data(), N, B, K, N, false);
    const double tolerance = 1e-6 * static_cast<double>(std::max(K, B)) + 1e-6;  // float sums of < 0.25 terms
    CHECK(max_abs_difference(out, expected_out) < tolerance);
    CHECK(max_abs_difference(dw, expected_dw) < tolerance);
    CHECK(max_abs_difference(dx, expected_dx) < tolerance);

    // In 3 shares, as 3 threads compute them (the forward and dX by samples, dW by inputs).
    std::vector<float> out3(B * N), dw3(K * N), dx3(B * K);
    for (int ith = 0; ith < 3; ++ith) {
      kernels::narrow_forward(out3.data(), x.data(), w.data(), bias.data(), K, N, kernels::split_range(B, ith, 3));
      kernels::narrow_weight_gradient(dw3.data(), x.data(), dout.data(), B, K, N, kernels::split_range(K, ith, 3));
      kernels::narrow_input_gradient(dx3.data(), dout.data(), w.data(), K, N, kernels::split_range(B, ith, 3));
    }
    CHECK(out3 == out);
    CHECK(dw3 == dw);
    CHECK(dx3 == dx);
  }
}
