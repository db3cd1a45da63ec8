// `mnisttrain bench`: measures, in one run, the numbers speed claims rest on — OpenBLAS sgemm
// against the naive reference loop on the reference network's first-layer shape, and training
// steps per second (forward, loss, backward, optimizer) at each BLAS thread count. Report
// ratios from one run: the machine may be shared and absolute times are noisy.
#include "bench/timing.h"
#include "cli/commands.h"
#include "cli/config_flag.h"
#include "config/config.h"
#include "data/batches.h"
#include "data/dataset.h"
#include "error.h"
#include "nn/network.h"
#include "kernels/blas.h"
#include "random.h"
#include "train/describe.h"
#include "train/step.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

namespace mnisttrain::cli {

namespace {

struct BenchFlags {
  std::string config;
  double seconds = 1.0;  // per measurement
};

int run_bench(const BenchFlags& flags) {
  const config::Config cfg = config_from_flag(flags.config, config::Purpose::Describe);
  const std::vector<int> input = train::input_shape_for(cfg);
  nn::Network net(cfg.model, input, cfg.data.num_classes);
  net.init_params(cfg.training.seed);
  const auto B = static_cast<std::size_t>(cfg.training.batch_size);
  net.reserve(B);  // refuses absurd batch sizes before anything below allocates
  // The GEMM measured is the first dense layer's forward, the largest in an MNIST MLP.
  const auto first_dense = std::find_if(net.layers().begin(), net.layers().end(),
                                        [](const nn::Layer& l) { return l.spec.type == nn::LayerType::Dense; });
  if (first_dense == net.layers().end()) throw Error(cfg.source + ": model.layers: bench needs a dense layer");
  const std::size_t C = first_dense->inputs, K = first_dense->outputs;
  Rng rng(1);
  std::vector<float> x(B * C), w(C * K), out(B * K);
  for (auto& v : x) v = rng.uniform();
  for (auto& v : w) v = rng.uniform() - 0.5f;

  const double flops = 2.0 * static_cast<double>(B * C * K);
  const double naive = bench::per_call_seconds([&] {
    blas::sgemm_naive(blas::Trans::No, blas::Trans::No, int(B), int(K), int(C), 1.0f, x.data(), w.data(), 0.0f, out.data());
  }, flags.seconds).seconds_per_call;
  std::printf("sgemm (%zu x %zu) . (%zu x %zu), the first dense layer's forward at batch %zu\n", B, C, C, K, B);
  std::printf("  naive loop         %8.2f ms  %7.2f GFLOP/s\n", naive * 1e3, flops / naive * 1e-9);
  const int max_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  double single = 0.0;
  for (int threads = 1; threads <= max_threads; threads *= 2) {
    blas::set_num_threads(threads);
    const double fast = bench::per_call_seconds([&] {
      blas::sgemm(blas::Trans::No, blas::Trans::No, int(B), int(K), int(C), 1.0f, x.data(), w.data(), 0.0f, out.data());
    }, flags.seconds).seconds_per_call;
    std::printf("  OpenBLAS %d thread%s %8.2f ms  %7.2f GFLOP/s  %6.1fx naive\n", threads, threads == 1 ? " " : "s",
                fast * 1e3, flops / fast * 1e-9, naive / fast);
  }

  // One training step on random data, exactly as the trainer runs it.
  const std::vector<int> shape = net.input_shape();
  const data::Dataset random = data::random_dataset(B, shape.size() > 1 ? shape[0] : 1, shape.back(),
                                                    cfg.data.num_classes, 1);
  data::BatchIterator batches(random, B);
  const data::Batch batch = batches.batch(0);
  train::Stepper stepper(net, cfg.training);
  auto step = [&] { stepper.step(batch.x, batch.onehot, batch.labels, B, 1e-6f); };
  std::printf("training step (%s, batch %zu, %zu parameters)\n", optim::name_of(cfg.training.optimizer.type), B,
              net.param_count());
  for (int threads = 1; threads <= max_threads; threads *= 2) {
    blas::set_num_threads(threads);
    const double t = bench::per_call_seconds(step, flags.seconds).seconds_per_call;
    if (threads == 1) single = t;
    std::printf("  %d thread%s  %8.2f ms/step  %9.0f samples/s  %5.2fx one thread\n", threads, threads == 1 ? " " : "s",
                t * 1e3, static_cast<double>(B) / t, single / t);
  }
  return 0;
}

}  // namespace

CommandAction add_bench(CLI::App& app, CLI::App*& sub) {
  auto flags = std::make_shared<BenchFlags>();
  sub = app.add_subcommand("bench", "Measure sgemm against the naive loop and training steps per second");
  sub->add_option("--config,-c", flags->config, "JSON config (default: the built-in Keras book network)");
  sub->add_option("--seconds", flags->seconds, "time spent on each measurement")->check(CLI::PositiveNumber);
  return [flags] { return run_bench(*flags); };
}

}  // namespace mnisttrain::cli
