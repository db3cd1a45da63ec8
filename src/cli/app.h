// The command-line front end: one file per subcommand, each registering its options and
// the function that runs it. Only cli/ prints; it turns mnisttrain::Error into one line on
// stderr and a non-zero exit status.
#pragma once

namespace mnisttrain::cli {

int run(int argc, char** argv);

}  // namespace mnisttrain::cli
