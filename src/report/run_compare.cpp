// Several runs compared: one chart per metric with a line per run, and a table with a column
// per run; see sections.h.
#include "report/html.h"
#include "report/sections.h"
#include "report/svg.h"

namespace mnisttrain::report {

namespace {

LineChart overlay(const std::vector<RunFiles>& runs, const std::string& title, const std::string& y_label,
                  double train::EpochMetrics::*field, bool validation) {
  LineChart chart{title, "epoch", y_label, {}, true};
  for (const RunFiles& run : runs) {
    Series s;
    s.name = run_name(run.dir);
    for (const train::EpochMetrics& e : run.epochs) {
      if (validation && !e.has_validation) continue;
      s.x.push_back(e.epoch);
      s.y.push_back(e.*field);
    }
    chart.series.push_back(std::move(s));
  }
  return chart;
}

}  // namespace

std::string comparison_curves(const std::vector<RunFiles>& runs) {
  using M = train::EpochMetrics;
  std::string body = paragraph("One line per run, in the colours of the table below. Validation curves are empty "
                               "for runs without a validation split.");
  body += "<div class=\"row\">" + line_chart(overlay(runs, "Training loss", "loss", &M::loss, false)) +
          line_chart(overlay(runs, "Validation loss", "loss", &M::val_loss, true)) +
          line_chart(overlay(runs, "Training accuracy", "accuracy", &M::accuracy, false)) +
          line_chart(overlay(runs, "Validation accuracy", "accuracy", &M::val_accuracy, true)) + "</div>";
  return body;
}

std::string comparison_table(const std::vector<RunFiles>& runs, const std::vector<config::Config>& configs) {
  std::vector<std::string> header{""};
  std::vector<std::vector<std::pair<std::string, std::string>>> facts;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    header.push_back(run_name(runs[r].dir));
    facts.push_back(run_facts(runs[r], configs[r]));
  }
  std::vector<std::vector<std::string>> rows;
  for (std::size_t f = 0; f < facts.front().size(); ++f) {
    std::vector<std::string> row{facts.front()[f].first};
    for (const auto& run_facts_of : facts) row.push_back(run_facts_of[f].second);
    rows.push_back(std::move(row));
  }
  std::string html = table(header, rows, "compare");
  // Colour each run's header like its lines (the table escapes text, so the swatches go after).
  std::string legend = "<p>";
  for (std::size_t r = 0; r < runs.size(); ++r) {
    legend += "<span style=\"color:" + series_colour(r) + "\">&#9632;</span> " + escape(run_name(runs[r].dir)) + " &nbsp; ";
  }
  return legend + "</p>" + html;
}

}  // namespace mnisttrain::report
