// `mnisttrain summary [MODEL.bin] [--config FILE]`: a Keras-style layer table, then what the
// notes teach to work out by hand: where each parameter count comes from, FLOPs per sample,
// and the memory a training step needs at the configured batch size.
#include "cli/commands.h"
#include "cli/config_flag.h"
#include "text/format.h"
#include "config/config.h"
#include "nn/network.h"
#include "train/describe.h"
#include "train/saved_model.h"

#include <cstdio>
#include <memory>

namespace mnisttrain::cli {

namespace {

struct SummaryFlags {
  std::string model;
  std::string config;
};

std::string shape_of(std::size_t features) { return "(None, " + std::to_string(features) + ")"; }

void print_summary(const config::Config& cfg, const nn::Network& net, const std::string& what) {
  const config::TrainingConfig& training = cfg.training;
  std::printf("Model: %s\n", what.c_str());
  std::printf("%-22s %-16s %12s   %s\n", "Layer (type)", "Output Shape", "Param #", "Why");
  std::printf("%s\n", std::string(86, '=').c_str());
  std::string input_shape = "(None";
  for (int d : net.input_shape()) input_shape += ", " + std::to_string(d);
  input_shape += ")";
  std::printf("%-22s %-16s %12s   %s\n", "input (Input)", input_shape.c_str(), "0",
              ("flattened to " + std::to_string(net.input_features()) + " features (the reshape)").c_str());
  for (const nn::Layer& layer : net.layers()) {
    std::string type = nn::name_of(layer.spec.type);
    type[0] = static_cast<char>(std::toupper(type[0]));
    const std::string why = train::layer_explanation(layer);
    std::printf("%-22s %-16s %12s   %s\n", (layer.name + " (" + type + ")").c_str(),
                shape_of(layer.outputs).c_str(), text::with_commas(layer.param_count).c_str(), why.c_str());
  }
  const std::size_t params = net.param_count();
  const std::uint64_t param_bytes = params * sizeof(float);
  std::printf("%s\n", std::string(86, '=').c_str());
  std::string sum;
  for (const nn::Layer& layer : net.layers()) {
    if (layer.param_count) sum += (sum.empty() ? "" : " + ") + text::with_commas(layer.param_count);
  }
  std::printf("Total params: %s (%s)%s\n", text::with_commas(params).c_str(), text::human_bytes(param_bytes).c_str(),
              sum.empty() ? "" : ("  = " + sum).c_str());
  std::printf("Trainable params: %s (%s)\n", text::with_commas(params).c_str(), text::human_bytes(param_bytes).c_str());
  std::printf("Non-trainable params: 0 (0 B)\n\n");

  const std::size_t batch = static_cast<std::size_t>(training.batch_size);
  const train::StepCost cost = train::step_cost(net, training.optimizer, batch);
  std::printf("FLOPs per sample: forward %s, backward %s (a multiply-add counts 2)\n",
              text::with_commas(static_cast<std::uint64_t>(cost.forward_flops)).c_str(),
              text::with_commas(static_cast<std::uint64_t>(cost.backward_flops)).c_str());
  std::printf("Memory for training at batch size %zu:\n", batch);
  std::printf("  parameters        %12s  (%s floats, one buffer)\n", text::human_bytes(cost.param_bytes).c_str(),
              text::with_commas(cost.params).c_str());
  std::printf("  gradients         %12s  (same layout as the parameters)\n", text::human_bytes(cost.param_bytes).c_str());
  std::printf("  optimizer state   %12s  (%s: %zu moment%s per parameter)\n", text::human_bytes(cost.optimizer_bytes).c_str(),
              optim::name_of(training.optimizer.type), cost.moments, cost.moments == 1 ? "" : "s");
  std::printf("  activations       %12s  (outputs and their gradients, %s floats per sample)\n",
              text::human_bytes(cost.activation_bytes).c_str(), text::with_commas(cost.activation_floats).c_str());
}

int run_summary(const SummaryFlags& flags) {
  if (!flags.model.empty()) {
    const train::SavedModel saved = train::load_model(flags.model);
    print_summary(saved.config, *saved.network, "\"" + flags.model + "\"");
    return 0;
  }
  const config::Config cfg = config_from_flag(flags.config, config::Purpose::Describe);
  const std::vector<int> input = train::input_shape_for(cfg);
  const nn::Network net(cfg.model, input, cfg.data.num_classes);
  print_summary(cfg, net, "\"" + cfg.source + "\"");
  return 0;
}

}  // namespace

CommandAction add_summary(CLI::App& app, CLI::App*& sub) {
  auto flags = std::make_shared<SummaryFlags>();
  sub = app.add_subcommand("summary", "Layers, output shapes and parameter counts, explained");
  sub->add_option("model", flags->model, "a model.bin to describe (instead of a config)");
  sub->add_option("--config,-c", flags->config, "JSON config (default: the built-in Keras book network)");
  return [flags] { return run_summary(*flags); };
}

}  // namespace mnisttrain::cli
