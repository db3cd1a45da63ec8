// libFuzzer target: the IDX reader (plain and gzip), the streaming scan behind `info` and the
// image/label loaders. Any exception other than mnisttrain::Error, any crash, leak or memory
// beyond the limits given on the command line is a finding.
#include "data/dataset.h"
#include "data/idx.h"
#include "data/idx_stats.h"
#include "error.h"
#include "fuzz_input.h"

#include <zlib.h>

#include <string>
#include <vector>

using namespace mnisttrain;

namespace {

// With the first byte odd, the rest is gzip-compressed before reading, so that mutations reach
// the IDX parser behind a valid gzip wrapper as well as the gzip decoder itself.
std::vector<std::uint8_t> gzipped(const std::uint8_t* data, std::size_t size) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  std::vector<std::uint8_t> out(deflateBound(&stream, size) + 32);
  stream.next_in = const_cast<Bytef*>(data);
  stream.avail_in = static_cast<uInt>(size);
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

template <typename Read>
void expect_error_or_success(Read read) {
  try {
    read();
  } catch (const Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = fuzz::scratch_path("idx");
  static const std::string labels = fuzz::scratch_path("idx_labels");
  if (size > 0 && (data[0] & 1)) {
    const std::vector<std::uint8_t> packed = gzipped(data + 1, size - 1);
    fuzz::write_bytes(path, packed.data(), packed.size());
  } else {
    fuzz::write_bytes(path, size ? data + 1 : data, size ? size - 1 : 0);
  }
  expect_error_or_success([] { data::read_idx(path); });
  expect_error_or_success([] { data::scan_idx(path); });
  expect_error_or_success([] { data::load_images(path); });
  expect_error_or_success([] { data::load_dataset(path, path, 10); });
  return 0;
}
