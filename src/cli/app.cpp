// Builds the CLI11 app from the subcommands and runs the chosen one.
#include "cli/app.h"

#include "error.h"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <exception>
#include <functional>

namespace mnisttrain::cli {

void build_app(CLI::App& app, std::string& log_level, CommandAction& chosen) {
  app.set_version_flag("--version", std::string("mnisttrain ") + MNISTTRAIN_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // --log-level works before or after the subcommand
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.parse_complete_callback([&log_level] { spdlog::set_level(spdlog::level::from_str(log_level)); });
  app.option_defaults()->always_capture_default();
  for (const AddCommand add : all_commands()) {
    CLI::App* sub = nullptr;
    CommandAction action = add(app, sub);
    sub->callback([&chosen, action] { chosen = action; });
  }
}

int run(int argc, char** argv) {
  // Logs go to stderr with the progress bar; stdout carries only results.
  spdlog::set_default_logger(spdlog::stderr_color_st("mnisttrain"));
  spdlog::set_pattern("%^%l%$: %v");

  CLI::App app{"mnisttrain: train dense neural networks on MNIST-format (IDX) data"};
  std::string log_level = "info";
  CommandAction chosen;
  build_app(app, log_level, chosen);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    return chosen ? chosen() : 1;
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "error: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

}  // namespace mnisttrain::cli
