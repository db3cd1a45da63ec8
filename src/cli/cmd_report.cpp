// `mnisttrain report RUN_DIR... [--out FILE]`: (re)builds the HTML report from run folders,
// so runs trained earlier get one too. One folder: RUN_DIR/report.html; several: a comparison
// page, written where --out says.
#include "cli/commands.h"
#include "report/report.h"

#include <cstdio>
#include <memory>

namespace mnisttrain::cli {

namespace {

struct ReportFlags {
  std::vector<std::string> runs;
  std::string out;
};

int run_report(const ReportFlags& flags) {
  const std::string out = flags.out.empty() ? flags.runs.front() + "/report.html" : flags.out;
  report::write_report(flags.runs, out);
  std::printf("wrote %s\n", out.c_str());
  return 0;
}

}  // namespace

CommandAction add_report(CLI::App& app, CLI::App*& sub) {
  auto flags = std::make_shared<ReportFlags>();
  sub = app.add_subcommand("report", "Write the HTML report of a run folder, or compare several runs");
  sub->add_option("runs", flags->runs, "run folders (summary.json, metrics.jsonl, model.bin)")->required();
  sub->add_option("--out,-o", flags->out, "the HTML file (default: RUN_DIR/report.html; required for several runs)");
  // Two runs and no --out: a usage error, as the page belongs to neither folder.
  sub->parse_complete_callback([flags] {
    if (flags->runs.size() > 1 && flags->out.empty()) {
      throw CLI::ValidationError("--out", "comparing several runs needs --out FILE (the page belongs to no one run folder)");
    }
  });
  return [flags] { return run_report(*flags); };
}

}  // namespace mnisttrain::cli
