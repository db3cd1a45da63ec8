// Builds the CLI11 app from the subcommands and runs the chosen one.
#include "cli/app.h"

#include "error.h"
#include "io/quote.h"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>

namespace mnisttrain::cli {

namespace {

// Results go to stdout; a failed write there (`> /dev/full`, a closed pipe) is an error too.
int checked_stdout(int status) {
  errno = 0;
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return status;
  const int write_errno = errno;
  std::fprintf(stderr, "error: cannot write to standard output: %s\n",
               write_errno ? std::strerror(write_errno) : "write error");
  return status == 0 ? 1 : status;
}

// Paths and names inside a message are escaped, so it stays one line whatever they contain.
int report(const char* what) {
  std::fprintf(stderr, "error: %s\n", io::escaped(what, 2000).c_str());
  return 1;
}

int run_command(const CommandAction& chosen) {
  try {
    return chosen ? chosen() : 1;
  } catch (const Error& e) {
    return report(e.what());
  } catch (const std::bad_alloc&) {
    return report("out of memory");
  } catch (const std::exception& e) {
    return report(e.what());
  }
}

}  // namespace

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
  // A reader that goes away (`train | head -1`) must not kill a run: writes to it fail instead,
  // and the failure is reported at exit.
  std::signal(SIGPIPE, SIG_IGN);
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
    // CLI11 prints the message; every usage error (bad flag or value) exits 2, help exits 0.
    return app.exit(e) == 0 ? 0 : 2;
  }
  return checked_stdout(run_command(chosen));
}

}  // namespace mnisttrain::cli
