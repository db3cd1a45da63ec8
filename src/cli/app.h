// The command-line front end: one file per subcommand, each registering its options and
// the function that runs it. Only cli/ prints; it turns mnisttrain::Error into one line on
// stderr and a non-zero exit status.
#pragma once

#include "cli/commands.h"

#include <string>

namespace mnisttrain::cli {

// Adds the global options and every subcommand with its flags to `app`. After app.parse(),
// `chosen` runs the parsed subcommand; --log-level is stored in `log_level`.
void build_app(CLI::App& app, std::string& log_level, CommandAction& chosen);

int run(int argc, char** argv);

}  // namespace mnisttrain::cli
