// The report of a training run as one self-contained HTML page: the run at a glance, learning
// curves, the confusion matrix, first-layer weights, the most confident mistakes and the data
// as the network sees it. Several run folders give a comparison page instead: overlaid curves
// and the configs and results side by side.
#pragma once

#include <string>
#include <vector>

namespace mnisttrain::report {

// One run folder: every section. Figures that need model.bin or the data files say so in
// place of the figure when those are missing; summary.json and metrics.jsonl are required.
std::string run_report(const std::string& run_dir);

// Two or more run folders compared.
std::string comparison_report(const std::vector<std::string>& run_dirs);

// Builds the page for `run_dirs` (one: run_report, several: comparison_report) and writes it
// to `out` atomically.
void write_report(const std::vector<std::string>& run_dirs, const std::string& out);

}  // namespace mnisttrain::report
