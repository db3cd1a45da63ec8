// The command-line front end: one file per subcommand, each registering its options and
// the function that runs it. Only cli/ prints; it turns mnisttrain::Error into one line on
// stderr and the exit status below.
#pragma once

#include "cli/commands.h"

#include <string>

namespace mnisttrain::cli {

// The one exit-code scheme of every command (README "Exit codes").
constexpr int kExitOk = 0;
constexpr int kExitError = 1;          // bad input file, failed run
constexpr int kExitUsage = 2;          // unknown command or flag, bad flag value
constexpr int kExitInterrupted = 130;  // SIGINT (128 + 2), as shells report it

// Adds the global options and every subcommand with its flags to `app`. After app.parse(),
// `chosen` runs the parsed subcommand; --log-level is stored in `log_level`. Parsing throws
// CLI::RequiredError without a command and CLI::ExtrasError (with a suggestion) for leftovers.
void build_app(CLI::App& app, std::string& log_level, CommandAction& chosen);

int run(int argc, char** argv);

}  // namespace mnisttrain::cli
