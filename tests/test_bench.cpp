// The benchmark's timing harness: one warm-up call, then timed calls until the budget is spent
// (no wall-clock value is asserted, only how the work was called); the FLOP counts it divides.
#include "bench/flops.h"
#include "bench/peak.h"
#include "bench/timing.h"
#include "config/config.h"

#include <catch2/catch.hpp>

#include <cmath>

using mnisttrain::bench::dense_flops_per_step;
using mnisttrain::bench::multiply_add_peak_gflops;
using mnisttrain::bench::per_call_seconds;
using mnisttrain::bench::work_flops_per_step;

TEST_CASE("per_call_seconds warms up once, then times at least one call", "[bench]") {
  int calls = 0;
  const auto timing = per_call_seconds([&] { ++calls; }, 0.0);
  CHECK(timing.calls == 1);
  CHECK(calls == 2);
  CHECK(std::isfinite(timing.seconds_per_call));
  CHECK(timing.seconds_per_call >= 0.0);

  calls = 0;
  const auto longer = per_call_seconds([&] { ++calls; }, 0.01);
  CHECK(longer.calls >= 1);
  CHECK(calls == longer.calls + 1);
}

namespace {

mnisttrain::nn::LayerSpec layer(mnisttrain::nn::LayerType type, int units = 0) {
  mnisttrain::nn::LayerSpec spec;
  spec.type = type;
  spec.units = units;
  spec.rate = 0.2;
  spec.activation = mnisttrain::nn::Activation::Relu;
  return spec;
}

}  // namespace

TEST_CASE("a step's products in FLOPs: every input counted, and only the non-zero ones on the sparse path", "[bench]") {
  using mnisttrain::nn::LayerType;
  const mnisttrain::config::Config cfg = mnisttrain::config::default_config();
  mnisttrain::nn::Network network(cfg.model, {28, 28}, 10);
  const std::size_t B = 128;
  // 784-512-10: the first layer's forward and weight gradient, the output layer's three products.
  const double first = 2 * 2.0 * B * 784 * 512, output = 3 * 2.0 * B * 512 * 10;
  CHECK(dense_flops_per_step(network, B) == first + output);
  const double lit = 19200;  // non-zero pixels in the batch
  network.use_sparse_input(true);
  CHECK(work_flops_per_step(network, B, lit) == 2 * 2.0 * lit * 512 + output);
  CHECK(dense_flops_per_step(network, B) == first + output);
  network.use_sparse_input(false);
  CHECK(work_flops_per_step(network, B, lit) == first + output);

  SECTION("a flatten and a hidden-to-hidden layer: three products for every layer after the first") {
    mnisttrain::nn::ModelSpec model;
    model.layers = {layer(LayerType::Flatten), layer(LayerType::Dense, 64), layer(LayerType::Dropout),
                    layer(LayerType::Dense, 32), layer(LayerType::Dense, 10)};
    mnisttrain::nn::Network deep(model, {28, 28}, 10);
    const double rest = 3 * 2.0 * B * (64 * 32 + 32 * 10);
    CHECK(dense_flops_per_step(deep, B) == 2 * 2.0 * B * 784 * 64 + rest);
    deep.use_sparse_input(true);
    CHECK(work_flops_per_step(deep, B, lit) == 2 * 2.0 * lit * 64 + rest);
  }
  SECTION("dropout before the first dense layer: its input gradient is computed, its input is not sparse") {
    mnisttrain::nn::ModelSpec model;
    model.layers = {layer(LayerType::Dropout), layer(LayerType::Dense, 10)};
    mnisttrain::nn::Network dropped(model, {28, 28}, 10);
    dropped.use_sparse_input(true);
    CHECK_FALSE(dropped.sparse_input());
    CHECK(work_flops_per_step(dropped, B, lit) == 3 * 2.0 * B * 784 * 10);
  }
}

TEST_CASE("the multiply-add peak is a rate of work done, by all the pool's threads", "[bench]") {
  for (int threads : {1, 2}) {
    mnisttrain::kernels::WorkerPool workers(threads);
    const double gflops = multiply_add_peak_gflops(workers, 0.0);
    CHECK(std::isfinite(gflops));
    CHECK(gflops > 0.0);
    // No core does 10 TFLOP/s: a loop the compiler had found dead would seem to.
    CHECK(gflops < 10000.0 * threads);
  }
}
