// `mnisttrain bench`'s measurements: a training step of the configured network on real
// batches, broken down by phase, at one thread and at one per core; and the first layer's
// product through each backend against the naive loop. Ratios within one run are what to
// compare: the machine may be shared, so absolute times are noisy.
#pragma once

#include "config/config.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace mnisttrain::bench {

// Seconds per step, averaged over the timed steps.
struct StepPhases {
  double batch = 0.0;  // the samples' rows, labels, one-hot rows; pixel / 255 into floats unless the sparse first layer reads the bytes
  double compress = 0.0;  // the float batch compressed for the sparse first layer
  std::vector<double> forward, backward;  // per layer
  double loss = 0.0;
  double optimizer = 0.0;
  double waiting = 0.0;  // thread 0 waiting for the others (inside the phases above)
};

struct StepRun {
  int threads = 0;
  double seconds_per_step = 0.0;  // batch build included
  double samples_per_second = 0.0;
  double gflops = 0.0;  // useful work: the dense products' multiply-adds x 2, per second
  double peak_gflops = 0.0;  // the multiply-add peak of `threads` threads at once (bench/peak.h)
  double peak_share = 0.0;   // work_flops_per_step per second, over that peak
  StepPhases phases;
};

struct ProductRun {
  std::string name;  // "naive loop", "OpenBLAS 1 thread", "tiled", ...
  double seconds = 0.0;
  double gflops = 0.0;
};

struct BenchReport {
  std::string network;      // "784-512-10"
  std::string optimizer;
  std::size_t batch_size = 0;
  std::size_t params = 0;
  std::vector<std::string> layer_names;
  std::string samples;      // where the batches came from
  double input_density = 0.0;
  std::string first_layer;  // "sparse" or "dense"
  bool streamed_update = false;  // the first layer's weights updated inside its backward pass
  std::string matmul;       // backend of the dense products
  std::string blas;         // library, version, configuration
  std::string blas_core;
  bool blas_generic = false;
  double flops_per_step = 0.0;       // the dense products, every input counted (bench/flops.h)
  double work_flops_per_step = 0.0;  // the products as computed: a sparse first layer skips the zeros
  double dense_products_seconds = 0.0;  // a step's dense products alone, on one thread
  std::vector<ProductRun> products;  // the first dense layer's forward product
  std::vector<StepRun> steps;        // 1 thread, then one per core
};

BenchReport run_bench(const config::Config& config, double seconds_per_measurement);
nlohmann::json to_json(const BenchReport& report);

}  // namespace mnisttrain::bench
