// `mnisttrain export MODEL --format onnx|npz --out FILE`: the trained network for other tools
// (an ONNX runtime, NumPy, Keras's set_weights).
#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "export/npz_export.h"
#include "export/onnx_export.h"
#include "io/atomic_file.h"
#include "train/saved_model.h"

#include <cstdio>
#include <filesystem>
#include <memory>

namespace mnisttrain::cli {

namespace {

struct ExportFlags {
  std::string model;
  std::string format;
  std::string out;
};

int run_export(const ExportFlags& flags) {
  const train::SavedModel saved = train::load_model(flags.model);
  const std::string bytes =
      flags.format == "onnx"
          ? exporting::onnx_model_bytes(*saved.network, std::filesystem::path(flags.model).stem().string())
          : exporting::npz_bytes(*saved.network);
  io::write_file_atomic(flags.out, bytes);
  std::printf("wrote %s (%s, %zu bytes)\n", flags.out.c_str(), flags.format.c_str(), bytes.size());
  return 0;
}

}  // namespace

CommandAction add_export(CLI::App& app, CLI::App*& sub) {
  auto flags = std::make_shared<ExportFlags>();
  sub = app.add_subcommand("export", "Write a model as ONNX (for any ONNX runtime) or NPZ (NumPy arrays, Keras weight layout)");
  sub->add_option("model", flags->model, "model.bin written by train")->required();
  sub->add_option("--format", flags->format, "onnx or npz")->required()->check(one_of({"onnx", "npz"}));
  sub->add_option("--out", flags->out, "file to write")->required();
  return [flags] { return run_export(*flags); };
}

}  // namespace mnisttrain::cli
