// Builds the CLI11 app from the subcommands, runs the chosen one and maps every outcome onto
// one exit-code scheme: 0 ok, 1 error in the input or the run, 2 usage, 130 interrupted.
#include "cli/app.h"

#include "cli/commands.h"
#include "cli/flag_checks.h"
#include "cli/version.h"
#include "error.h"
#include "io/quote.h"
#include "kernels/blas.h"
#include "kernels/denormals.h"
#include "text/suggest.h"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/ansicolor_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>

namespace mnisttrain::cli {

namespace {

// --color wins; otherwise NO_COLOR (any non-empty value, see no-color.org) turns colour off;
// otherwise colour only on a terminal.
spdlog::color_mode color_mode_for(const std::string& flag) {
  if (flag == "always") return spdlog::color_mode::always;
  if (flag == "never") return spdlog::color_mode::never;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return spdlog::color_mode::never;
  return spdlog::color_mode::automatic;
}

std::vector<std::string> flag_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
  }
  return names;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& known) {
  const std::string near = text::closest_word(word, known);
  return near.empty() ? "" : "; did you mean '" + near + "'?";
}

// Arguments CLI11 left over (allow_extras) become a usage error with a suggestion.
void refuse_extras(const CLI::App& app, const CLI::App& sub) {
  // With fallthrough, what the subcommand does not know may land in the parent's list.
  std::vector<std::string> extras = sub.remaining();
  for (const std::string& extra : app.remaining()) extras.push_back(extra);
  if (extras.empty()) return;
  const std::string& first = extras.front();
  if (first.size() > 1 && first[0] == '-') {
    const std::string flag = first.substr(0, first.find('='));
    std::vector<std::string> known = flag_names(sub);
    for (const std::string& name : flag_names(app)) known.push_back(name);
    throw CLI::ExtrasError("unknown flag '" + flag + "' for " + sub.get_name() + did_you_mean(flag, known) +
                               " (mnisttrain " + sub.get_name() + " --help lists the flags)",
                           CLI::ExitCodes::ExtrasError);
  }
  throw CLI::ExtrasError("unexpected argument '" + first + "' for " + sub.get_name() + " (mnisttrain " +
                             sub.get_name() + " --help shows the usage)",
                         CLI::ExitCodes::ExtrasError);
}

std::string unknown_command(const CLI::App& app, const std::string& word) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  names.push_back("help");
  return "unknown command '" + word + "'" + did_you_mean(word, names) + " (mnisttrain help lists the commands)";
}

// CLI11's "--epochs: must be ..." reads better as "--epochs must be ...".
std::string usage_message(const CLI::ParseError& e) {
  std::string what = e.what();
  const std::size_t colon = what.find(": must be ");
  if (colon != std::string::npos && what.rfind("--", 0) == 0) what.erase(colon, 1);
  return what;
}

// Paths and names inside a message are escaped, so it stays one line whatever they contain.
int report_error(const char* what) {
  std::fprintf(stderr, "error: %s\n", io::escaped(what, 2000).c_str());
  return kExitError;
}

int run_action(const CommandAction& action) {
  try {
    return action();
  } catch (const Error& e) {
    return report_error(e.what());
  } catch (const std::bad_alloc&) {
    return report_error("out of memory");
  } catch (const std::exception& e) {
    return report_error(e.what());
  }
}

// Results go to stdout; a failed write there (`> /dev/full`, a closed pipe) is an error too.
int checked_stdout(int status) {
  errno = 0;
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return status;
  const int write_errno = errno;
  std::fprintf(stderr, "error: cannot write to standard output: %s\n",
               write_errno ? std::strerror(write_errno) : "write error");
  return status == 0 ? kExitError : status;
}

// After parsing, before any command runs: a command was given and nothing was left over.
void check_complete(const CLI::App& app) {
  if (app.get_help_ptr()->count() > 0) return;  // --help is answered later in the parse
  const std::vector<CLI::App*> parsed = app.get_subcommands();
  if (parsed.empty()) {
    const std::vector<std::string> extras = app.remaining();
    throw CLI::RequiredError(extras.empty() ? "no command given (mnisttrain help lists the commands)"
                                            : unknown_command(app, extras.front()),
                             CLI::ExitCodes::RequiredError);
  }
  refuse_extras(app, *parsed.front());
}

std::string g_color;  // --color, read once parsing is complete

}  // namespace

void build_app(CLI::App& app, std::string& log_level, CommandAction& chosen) {
  app.name("mnisttrain");
  app.set_version_flag("--version", version_text, "version, git commit and BLAS library");
  app.fallthrough();  // global flags work before or after the subcommand
  app.allow_extras();  // leftovers become check_complete's usage error with a suggestion
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(one_of({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_option("--color", g_color, "colour in log lines: auto, always or never (default auto; NO_COLOR=1 means never)")
      ->check(one_of({"auto", "always", "never"}));
  app.parse_complete_callback([&app, &log_level] {
    spdlog::set_level(spdlog::level::from_str(log_level));
    for (auto& sink : spdlog::default_logger()->sinks()) {
      if (auto* color = dynamic_cast<spdlog::sinks::ansicolor_stderr_sink_st*>(sink.get())) {
        color->set_color_mode(color_mode_for(g_color));
      }
    }
    check_complete(app);
  });
  app.option_defaults()->always_capture_default();
  for (const AddCommand add : all_commands()) {
    CLI::App* sub = nullptr;
    CommandAction action = add(app, sub);
    sub->allow_extras();
    sub->callback([&chosen, action] { chosen = action; });
  }
}

int run(int argc, char** argv) {
  // Every command computes with denormals flushed to zero (kernels/denormals.h), set here,
  // before any thread starts, so that all threads share it.
  kernels::flush_denormals_to_zero();
  // The program's workers own the cores; OpenBLAS runs single-threaded inside them, and its own
  // pool, started when the library loaded, is ended now rather than left spinning.
  blas::set_num_threads(1);
  // A closed pipe (`train ... | head -1`) must not kill a run: writes then fail with EPIPE,
  // and checked_stdout reports it after the command finished.
  std::signal(SIGPIPE, SIG_IGN);
  // Logs go to stderr with the progress bar; stdout carries only results.
  auto log_sink = std::make_shared<spdlog::sinks::ansicolor_stderr_sink_st>(color_mode_for(""));
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("mnisttrain", log_sink));
  spdlog::set_pattern("%^%l%$: %v");

  CLI::App app{"mnisttrain: train dense neural networks on MNIST-format (IDX) data", "mnisttrain"};
  std::string log_level = "info";
  CommandAction chosen;
  build_app(app, log_level, chosen);

  // `mnisttrain` and `mnisttrain help [COMMAND]` print the help.
  if (argc == 1 || std::string(argv[1]) == "help") {
    CLI::App* topic = nullptr;
    for (CLI::App* sub : app.get_subcommands({})) {
      if (argc > 2 && sub->get_name() == argv[2]) topic = sub;
    }
    if (argc > 2 && !topic) {
      std::fprintf(stderr, "error: %s\n", unknown_command(app, argv[2]).c_str());
      return kExitUsage;
    }
    std::fputs((topic ? topic->help() : app.help()).c_str(), stdout);
    return kExitOk;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);  // --help, --version
    std::fprintf(stderr, "error: %s\n", usage_message(e).c_str());
    return kExitUsage;
  }
  spdlog::debug("{}; working directory {}", version_text(), std::filesystem::current_path().string());
  return checked_stdout(run_action(chosen));
}

}  // namespace mnisttrain::cli
