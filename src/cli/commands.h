// Each subcommand lives in its own file and exposes one function that adds its CLI11
// subcommand (with its options struct captured) and returns what to run once parsing is done.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

namespace mnisttrain::cli {

using CommandAction = std::function<int()>;
using AddCommand = CommandAction (*)(CLI::App& app, CLI::App*& sub);

CommandAction add_info(CLI::App& app, CLI::App*& sub);
CommandAction add_show(CLI::App& app, CLI::App*& sub);
CommandAction add_summary(CLI::App& app, CLI::App*& sub);
CommandAction add_gradcheck(CLI::App& app, CLI::App*& sub);
CommandAction add_train(CLI::App& app, CLI::App*& sub);
CommandAction add_eval(CLI::App& app, CLI::App*& sub);
CommandAction add_predict(CLI::App& app, CLI::App*& sub);
CommandAction add_bench(CLI::App& app, CLI::App*& sub);
CommandAction add_report(CLI::App& app, CLI::App*& sub);
CommandAction add_descent(CLI::App& app, CLI::App*& sub);
CommandAction add_export(CLI::App& app, CLI::App*& sub);

inline std::vector<AddCommand> all_commands() {
  return {add_train, add_eval, add_predict, add_summary, add_gradcheck, add_info, add_show, add_bench,
          add_report, add_descent, add_export};
}

}  // namespace mnisttrain::cli
