// The training-step and product benchmarks; see step_bench.h.
#include "bench/step_bench.h"

#include "bench/flops.h"
#include "bench/peak.h"
#include "bench/timing.h"
#include "data/batches.h"
#include "error.h"
#include "kernels/blas.h"
#include "kernels/gemm.h"
#include "kernels/matmul.h"
#include "kernels/sparse_dense.h"
#include "nn/dense.h"
#include "nn/network.h"
#include "random.h"
#include "train/describe.h"
#include "train/step.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <thread>

namespace mnisttrain::bench {

namespace {

using Clock = std::chrono::steady_clock;

// Batches the benchmark cycles through: 20 batches of real samples give the real density.
constexpr std::size_t kBenchBatches = 20;

const nn::Layer& first_dense(const nn::Network& network) {
  for (const nn::Layer& layer : network.layers()) {
    if (layer.spec.type == nn::LayerType::Dense) return layer;
  }
  throw Error("model.layers: bench needs a dense layer");
}

// n values uniform in [offset, offset + 1): operands for timing products.
std::vector<float> uniform_values(Rng& rng, std::size_t n, float offset) {
  std::vector<float> values(n);
  for (float& v : values) v = rng.uniform() + offset;
  return values;
}

// The first dense layer's forward product at the batch size, through each backend.
std::vector<ProductRun> time_products(const nn::Network& network, std::size_t B, double budget) {
  const nn::Layer& layer = first_dense(network);
  const std::size_t C = layer.inputs, N = layer.outputs;
  Rng rng(1);
  const std::vector<float> x = uniform_values(rng, B * C, 0.0f), w = uniform_values(rng, C * N, -0.5f);
  std::vector<float> out(B * N);
  const double flops = 2.0 * static_cast<double>(B * C * N);
  auto product = [&](const std::string& name, auto&& work) {
    const double seconds = per_call_seconds(work, budget).seconds_per_call;
    return ProductRun{name, seconds, flops / seconds * 1e-9};
  };
  std::vector<ProductRun> runs;
  runs.push_back(product("naive loop", [&] {
    kernels::gemm_reference(false, false, out.data(), N, x.data(), C, w.data(), N, B, N, C, false);
  }));
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int threads : {1, cores}) {
    blas::set_num_threads(threads);
    runs.push_back(product("OpenBLAS " + std::to_string(threads) + (threads == 1 ? " thread" : " threads"), [&] {
      blas::sgemm(false, false, out.data(), N, x.data(), C, w.data(), N, B, N, C, false);
    }));
    if (cores == 1) break;
  }
  blas::set_num_threads(1);  // the network's workers call OpenBLAS single-threaded
  runs.push_back(product("tiled, 1 thread", [&] {
    kernels::gemm_nn(out.data(), N, x.data(), C, w.data(), N, B, N, C, false);
  }));
  return runs;
}

// A step's dense products alone, on one thread, through the dense path's own calls (no bias,
// no activation): for each dense layer the forward, the weight gradient and, where backward
// computes it, the input gradient. The time a dense first layer cannot go below (its zeros
// multiplied like any value).
double time_dense_products(const nn::Network& network, std::size_t B, double budget) {
  struct Operands {
    std::size_t layer, C, OC;
    std::vector<float> x, weight, out, dout, dweight, dx;
  };
  std::vector<Operands> layers;
  Rng rng(2);
  for (std::size_t i = 0; i < network.layers().size(); ++i) {
    const nn::Layer& layer = network.layers()[i];
    if (layer.spec.type != nn::LayerType::Dense) continue;
    const std::size_t C = layer.inputs, OC = layer.outputs;
    layers.push_back({i, C, OC, uniform_values(rng, B * C, -0.5f), uniform_values(rng, C * OC, -0.5f),
                      std::vector<float>(B * OC), uniform_values(rng, B * OC, -0.5f), std::vector<float>(C * OC),
                      std::vector<float>(B * C)});
  }
  blas::set_num_threads(1);
  auto step = [&] {
    for (Operands& o : layers) {
      nn::dense_forward(o.out.data(), o.x.data(), o.weight.data(), nullptr, nn::Activation::Linear, B, o.C, o.OC, 0, 1);
      float* dx = network.computes_input_gradient(o.layer) ? o.dx.data() : nullptr;
      nn::dense_backward(dx, o.dweight.data(), nullptr, o.dout.data(), o.x.data(), nullptr, nullptr, o.weight.data(),
                         0.0f, B, o.C, o.OC, 0, 1);
    }
  };
  return per_call_seconds(step, budget).seconds_per_call;
}

StepRun time_steps(nn::Network& network, const config::TrainingConfig& training,
                   data::BatchIterator& batches, int threads, double budget) {
  network.set_threads(threads);
  train::Stepper stepper(network, training);
  nn::LayerTimings layer_seconds;
  train::StepTimings step_seconds;
  double batch_seconds = 0.0;
  std::size_t next = 0, samples = 0;
  auto step = [&] {
    const auto start = Clock::now();
    const data::Batch batch = batches.batch(next++ % batches.num_batches());
    batch_seconds += std::chrono::duration<double>(Clock::now() - start).count();
    stepper.step({batch.x, batch.images}, batch.onehot, batch.labels, batch.size, 1e-6f);  // tiny lr: stays finite
    samples += batch.size;
  };
  step();  // warm-up, not counted in the breakdown
  network.set_timings(&layer_seconds);
  stepper.set_timings(&step_seconds);
  batch_seconds = 0.0;
  samples = 0;
  const double waited_before = network.workers().waited_seconds();
  const Timing timing = per_call_seconds(step, budget);
  network.set_timings(nullptr);
  // per_call_seconds ran one more untimed warm-up call; the breakdown covers calls + 1 steps.
  const double steps = static_cast<double>(timing.calls + 1);
  StepRun run;
  run.threads = network.threads();
  run.seconds_per_step = timing.seconds_per_call;
  run.samples_per_second = static_cast<double>(samples) / steps / timing.seconds_per_call;
  run.phases.batch = batch_seconds / steps;
  for (double s : layer_seconds.forward) run.phases.forward.push_back(s / steps);
  for (double s : layer_seconds.backward) run.phases.backward.push_back(s / steps);
  const double forward = std::accumulate(layer_seconds.forward.begin(), layer_seconds.forward.end(), 0.0);
  run.phases.compress = layer_seconds.compress / steps;
  run.phases.loss = (step_seconds.forward_and_loss - forward - layer_seconds.compress) / steps;
  run.phases.optimizer = step_seconds.optimizer / steps;
  run.phases.waiting = (network.workers().waited_seconds() - waited_before) / steps;
  return run;
}

std::string layer_widths(const nn::Network& network) {
  std::string text = std::to_string(network.input_features());
  for (const nn::Layer& layer : network.layers()) {
    if (layer.spec.type == nn::LayerType::Dense) text += "-" + std::to_string(layer.outputs);
  }
  return text;
}

}  // namespace

BenchReport run_bench(const config::Config& config, double seconds_per_measurement) {
  const auto B = static_cast<std::size_t>(config.training.batch_size);
  train::TrainingSamples source =
      train::training_samples(config, B * kBenchBatches, config.training.seed, false);
  const data::Dataset& samples = source.samples;
  nn::Network network(config.model, {samples.rows, samples.cols}, config.data.num_classes);
  network.init_params(config.training.seed);
  network.reserve(B);  // refuses absurd batch sizes before anything below allocates

  BenchReport report;
  report.network = layer_widths(network);
  report.optimizer = optim::name_of(config.training.optimizer.type);
  report.batch_size = B;
  report.params = network.param_count();
  for (const nn::Layer& layer : network.layers()) report.layer_names.push_back(layer.name);
  report.samples = source.fallback.empty() ? "the first " + std::to_string(samples.count) + " training samples"
                                           : "random pixels (" + source.fallback + ")";
  report.input_density = kernels::density(samples.images.data(), samples.images.size());
  network.use_sparse_input(nn::prefers_sparse_input(report.input_density));
  report.first_layer = network.sparse_input() ? "sparse" : "dense";
  report.streamed_update = network.streamable_weights().size() > 0 && config.training.optimizer.clipnorm <= 0.0;
  report.matmul = kernels::name_of(kernels::matmul_backend(first_dense(network).outputs, B));
  report.blas = blas::library_description();
  report.blas_core = blas::core_name();
  report.blas_generic = blas::generic_core();
  report.flops_per_step = dense_flops_per_step(network, B);
  report.work_flops_per_step =
      work_flops_per_step(network, B, report.input_density * static_cast<double>(B * network.input_features()));
  report.products = time_products(network, B, seconds_per_measurement);
  report.dense_products_seconds = time_dense_products(network, B, seconds_per_measurement);

  data::BatchIterator batches(samples, B);
  batches.convert_to_floats(network.needs_float_input());
  batches.shuffle(config.training.seed, 0);
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int threads : {1, cores}) {
    StepRun run = time_steps(network, config.training, batches, threads, seconds_per_measurement);
    run.gflops = report.flops_per_step / run.seconds_per_step * 1e-9;
    run.peak_gflops = multiply_add_peak_gflops(network.workers(), seconds_per_measurement);
    run.peak_share = report.work_flops_per_step / run.seconds_per_step * 1e-9 / run.peak_gflops;
    report.steps.push_back(run);
    if (cores == 1) break;
  }
  return report;
}

nlohmann::json to_json(const BenchReport& r) {
  nlohmann::json products = nlohmann::json::array(), steps = nlohmann::json::array();
  for (const ProductRun& p : r.products) products.push_back({{"name", p.name}, {"seconds", p.seconds}, {"gflops", p.gflops}});
  for (const StepRun& s : r.steps) {
    nlohmann::json layers = nlohmann::json::array();
    for (std::size_t i = 0; i < r.layer_names.size(); ++i) {
      layers.push_back({{"layer", r.layer_names[i]},
                        {"forward_seconds", s.phases.forward[i]},
                        {"backward_seconds", s.phases.backward[i]}});
    }
    steps.push_back({{"threads", s.threads},
                     {"seconds_per_step", s.seconds_per_step},
                     {"samples_per_second", s.samples_per_second},
                     {"gflops", s.gflops},
                     {"peak_gflops", s.peak_gflops},
                     {"peak_share", s.peak_share},
                     {"batch_seconds", s.phases.batch},
                     {"compress_seconds", s.phases.compress},
                     {"layers", layers},
                     {"loss_seconds", s.phases.loss},
                     {"optimizer_seconds", s.phases.optimizer},
                     {"waiting_seconds", s.phases.waiting}});
  }
  return {{"network", r.network},     {"optimizer", r.optimizer},   {"batch_size", r.batch_size},
          {"params", r.params},       {"samples", r.samples},       {"input_density", r.input_density},
          {"first_layer", r.first_layer}, {"streamed_update", r.streamed_update}, {"matmul", r.matmul},     {"blas", r.blas},
          {"blas_core", r.blas_core}, {"blas_generic", r.blas_generic},
          {"flops_per_step", r.flops_per_step}, {"work_flops_per_step", r.work_flops_per_step},
          {"dense_products_seconds", r.dense_products_seconds},
          {"products", products}, {"steps", steps}};
}

}  // namespace mnisttrain::bench
