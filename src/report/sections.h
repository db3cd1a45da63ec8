// The report's sections, each a function from what it shows to markup (internal to report/).
#pragma once

#include "config/config.h"
#include "data/dataset.h"
#include "report/run_files.h"
#include "train/evaluate.h"
#include "train/saved_model.h"

#include <string>
#include <vector>

namespace mnisttrain::report {

// "0.9812" style fixed decimals, "n/a" for NaN.
std::string fixed(double value, int decimals);

// The run at a glance (run_glance.cpp). `model` may be null when model.bin is missing.
std::string glance_section(const RunFiles& run, const config::Config& config, const nn::Network* model);
// Key facts of one run as label/value rows, shared with the comparison table.
std::vector<std::pair<std::string, std::string>> run_facts(const RunFiles& run, const config::Config& config);

// Learning curves (run_curves.cpp).
std::string curves_section(const RunFiles& run, const config::Config& config);

// How many training digits the data section shows (all the report reads of the training set).
constexpr std::size_t kDigitsShown = 6;
// Figures from the model and the data (run_figures.cpp). Classes are shown by index, with
// their names when `class_names` (data.class_names) holds them.
std::string confusion_section(const train::Evaluation& evaluation, const std::vector<std::string>& class_names);
std::string weights_section(const nn::Network& network);
std::string mistakes_section(const train::Evaluation& evaluation, const data::Dataset& test,
                             const std::vector<std::string>& class_names);
std::string data_section(const data::Dataset& train);

// Several runs (run_compare.cpp): overlaid curves, and facts side by side.
std::string comparison_curves(const std::vector<RunFiles>& runs);
std::string comparison_table(const std::vector<RunFiles>& runs, const std::vector<config::Config>& configs);

}  // namespace mnisttrain::report
