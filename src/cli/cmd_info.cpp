// `mnisttrain info FILE...`: the "key attributes" of IDX files — magic, ndim, shape, dtype,
// size, value range, and for label files the count of each class.
#include "cli/commands.h"
#include "text/format.h"
#include "data/idx_stats.h"
#include "io/quote.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mnisttrain::cli {

static void print_info(const std::string& path) {
  const data::IdxStats stats = data::scan_idx(path);
  const data::IdxArray& array = stats.header;
  std::printf("%s%s\n", io::escaped(path).c_str(), array.gzipped ? " (gzip)" : "");
  std::printf("  magic    0x%08X (type 0x%02X, %zu dimension%s)\n", array.magic(),
              static_cast<unsigned>(array.type), array.dims.size(),
              array.dims.size() == 1 ? "" : "s");
  std::printf("  ndim     %zu\n", array.dims.size());
  std::printf("  shape    %s\n", array.shape_string().c_str());
  std::printf("  dtype    %s\n", data::type_name(array.type));
  std::printf("  bytes    %s (%zu-byte header + %s data)\n",
              text::with_commas(array.header_bytes() + stats.data_bytes).c_str(), array.header_bytes(),
              text::with_commas(stats.data_bytes).c_str());
  std::printf("  min/max  %g / %g\n", stats.min, stats.max);
  if (stats.nan_count > 0) {
    std::printf("  NaN      %s of %s values\n", text::with_commas(stats.nan_count).c_str(),
                text::with_commas(stats.count).c_str());
  }
  if (!stats.label_like) return;
  if (stats.too_many_labels) {
    std::printf("  labels   more than %zu distinct values (not a label file?)\n", data::kMaxCountedLabels);
    return;
  }
  std::printf("  labels   %zu classes\n", stats.label_counts.size());
  for (const auto& [label, count] : stats.label_counts) {
    std::printf("    %3ld: %6llu  (%.2f%%)\n", label, static_cast<unsigned long long>(count),
                100.0 * static_cast<double>(count) / static_cast<double>(stats.count));
  }
}

CommandAction add_info(CLI::App& app, CLI::App*& sub) {
  auto files = std::make_shared<std::vector<std::string>>();
  sub = app.add_subcommand("info", "Show an IDX file's magic, ndim, shape, dtype, size, range "
                                   "and (for labels) per-class counts");
  sub->add_option("files", *files, "IDX files, plain or gzip-compressed")->required();
  return [files] {
    for (const auto& path : *files) print_info(path);
    return 0;
  };
}

}  // namespace mnisttrain::cli
