// `mnisttrain info FILE...`: the "key attributes" of IDX files — magic, ndim, shape, dtype,
// size, value range, and for label files the count of each class.
#include "cli/commands.h"
#include "cli/format.h"
#include "data/idx.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mnisttrain::cli {

static void print_info(const std::string& path) {
  const data::IdxArray array = data::read_idx(path);
  const std::size_t n = array.count();
  double lo = n ? array.value(0) : 0.0, hi = lo;
  for (std::size_t i = 1; i < n; ++i) {
    const double v = array.value(i);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const std::uint64_t data_bytes = array.bytes.size();
  std::printf("%s%s\n", path.c_str(), array.gzipped ? " (gzip)" : "");
  std::printf("  magic    0x%08X (type 0x%02X, %zu dimension%s)\n", array.magic(),
              static_cast<unsigned>(array.type), array.dims.size(),
              array.dims.size() == 1 ? "" : "s");
  std::printf("  ndim     %zu\n", array.dims.size());
  std::printf("  shape    %s\n", array.shape_string().c_str());
  std::printf("  dtype    %s\n", data::type_name(array.type));
  std::printf("  bytes    %s (%zu-byte header + %s data)\n",
              with_commas(array.header_bytes() + data_bytes).c_str(), array.header_bytes(),
              with_commas(data_bytes).c_str());
  std::printf("  min/max  %g / %g\n", lo, hi);

  const bool integer_type = array.type != data::IdxType::Float32 &&
                            array.type != data::IdxType::Float64;
  if (array.dims.size() == 1 && integer_type) {
    std::map<long, std::size_t> counts;
    for (std::size_t i = 0; i < n; ++i) ++counts[static_cast<long>(array.value(i))];
    std::printf("  labels   %zu classes\n", counts.size());
    for (const auto& [label, count] : counts) {
      std::printf("    %3ld: %6zu  (%.2f%%)\n", label, count, 100.0 * count / n);
    }
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
