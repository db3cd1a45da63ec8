// IDX reading/writing (plain and gzip, every malformed case), Dataset loading and validation
// split and transposition, and the batch iterator (coverage, partial batch, one-hot, seeded order).
#include "data/batches.h"
#include "data/dataset.h"
#include "data/idx.h"
#include "data/idx_stats.h"
#include "data/render.h"
#include "fixtures.h"

#include <algorithm>
#include <chrono>
#include <set>

using namespace mnisttrain::data;
using Catch::Matchers::Contains;
using fixtures::error_of;

namespace {

std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// n images of rows x cols whose pixel values encode (image, position), and labels i % classes.
Dataset synthetic(std::size_t n, int rows, int cols, int classes) {
  Dataset set;
  set.count = n;
  set.rows = rows;
  set.cols = cols;
  set.num_classes = classes;
  for (std::size_t i = 0; i < n; ++i) {
    for (int p = 0; p < rows * cols; ++p) set.images.push_back(static_cast<std::uint8_t>(i * 7 + p));
    set.labels.push_back(static_cast<std::uint8_t>(i % classes));
  }
  return set;
}

void write_pair(const fixtures::TempDir& dir, const Dataset& set) {
  write_idx(dir.file("images"),
            make_uint8_array({static_cast<std::uint32_t>(set.count), static_cast<std::uint32_t>(set.rows),
                              static_cast<std::uint32_t>(set.cols)}, set.images));
  write_idx(dir.file("labels"), make_uint8_array({static_cast<std::uint32_t>(set.count)}, set.labels));
}

}  // namespace

TEST_CASE("IDX uint8 round trip keeps header bytes and values", "[data][idx]") {
  fixtures::TempDir dir;
  const auto array = make_uint8_array({2, 3, 4}, std::vector<std::uint8_t>{
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 255});
  write_idx(dir.file("a.idx"), array);
  const std::string raw = fixtures::read_bytes(dir.file("a.idx"));
  REQUIRE(raw.size() == 16 + 24);
  CHECK(raw.substr(0, 16) == be32(0x00000803) + be32(2) + be32(3) + be32(4));
  const IdxArray back = read_idx(dir.file("a.idx"));
  CHECK(back.type == IdxType::UInt8);
  CHECK(back.dims == std::vector<std::uint32_t>{2, 3, 4});
  CHECK(back.bytes == array.bytes);
  CHECK(back.shape_string() == "(2, 3, 4)");
  CHECK_FALSE(back.gzipped);
}

TEST_CASE("IDX wider types are big-endian on disk and native in memory", "[data][idx]") {
  fixtures::TempDir dir;
  IdxArray shorts;
  shorts.type = IdxType::Int16;
  shorts.dims = {2};
  const std::int16_t values[] = {-2, 0x0102};
  shorts.bytes.assign(reinterpret_cast<const std::uint8_t*>(values),
                      reinterpret_cast<const std::uint8_t*>(values) + 4);
  write_idx(dir.file("s.idx"), shorts);
  const std::string raw = fixtures::read_bytes(dir.file("s.idx"));
  CHECK(raw.substr(8) == std::string("\xff\xfe\x01\x02", 4));
  const IdxArray back = read_idx(dir.file("s.idx"));
  CHECK(back.value(0) == -2);
  CHECK(back.value(1) == 258);

  IdxArray doubles;
  doubles.type = IdxType::Float64;
  doubles.dims = {1, 2};
  const double d[] = {0.5, -3.25};
  doubles.bytes.assign(reinterpret_cast<const std::uint8_t*>(d),
                       reinterpret_cast<const std::uint8_t*>(d) + 16);
  write_idx(dir.file("d.idx"), doubles);
  const IdxArray dback = read_idx(dir.file("d.idx"));
  CHECK(dback.magic() == 0x00000E02);
  CHECK(dback.value(0) == 0.5);
  CHECK(dback.value(1) == -3.25);
}

TEST_CASE("gzip IDX files load transparently, detected by content", "[data][idx]") {
  fixtures::TempDir dir;
  auto array = make_uint8_array({3, 2}, {9, 8, 7, 6, 5, 4});
  array.gzipped = true;
  write_idx(dir.file("no-gz-suffix"), array);
  const std::string raw = fixtures::read_bytes(dir.file("no-gz-suffix"));
  REQUIRE(raw.substr(0, 2) == "\x1f\x8b");
  const IdxArray back = read_idx(dir.file("no-gz-suffix"));
  CHECK(back.gzipped);
  CHECK(back.bytes == array.bytes);

  // A plain file named .gz is read as plain.
  array.gzipped = false;
  write_idx(dir.file("plain.gz"), array);
  CHECK_FALSE(read_idx(dir.file("plain.gz")).gzipped);
}

TEST_CASE("malformed IDX files give one-line errors naming file, offsets and counts",
          "[data][idx]") {
  fixtures::TempDir dir;
  const std::string good = be32(0x00000803) + be32(2) + be32(2) + be32(2) + std::string(8, '\x07');
  const std::string path = dir.file("bad.idx");

  SECTION("truncated data") {
    fixtures::write_bytes(path, good.substr(0, 20));
    const auto message = error_of([&] { read_idx(path); });
    CHECK_THAT(message, Contains(path) && Contains("truncated") && Contains("implies 24 bytes") &&
                            Contains("file has 20"));
  }
  SECTION("truncated header") {
    fixtures::write_bytes(path, good.substr(0, 6));
    CHECK_THAT(error_of([&] { read_idx(path); }),
               Contains(path) && Contains("truncated IDX dimension sizes") &&
                   Contains("expected 12 bytes at offset 4, found 2"));
  }
  SECTION("empty file") {
    fixtures::write_bytes(path, "");
    CHECK_THAT(error_of([&] { read_idx(path); }),
               Contains("truncated IDX header: expected 4 bytes at offset 0, found 0"));
  }
  SECTION("trailing bytes") {
    fixtures::write_bytes(path, good + "xyz");
    CHECK_THAT(error_of([&] { read_idx(path); }),
               Contains(path) && Contains("3 trailing bytes") && Contains("ends at offset 24"));
  }
  SECTION("not an IDX file at all (an HTML page)") {
    fixtures::write_bytes(path, "<!DOCTYPE html><html><body>Not found</body></html>");
    CHECK_THAT(error_of([&] { read_idx(path); }),
               Contains(path) && Contains("not an IDX file") && Contains("0x3C21444F"));
  }
  SECTION("unknown element type") {
    fixtures::write_bytes(path, be32(0x00000703) + be32(1) + be32(1) + be32(1) + "x");
    CHECK_THAT(error_of([&] { read_idx(path); }), Contains("unknown IDX element type 0x07 at offset 2"));
  }
  SECTION("zero dimensions") {
    fixtures::write_bytes(path, be32(0x00000800));
    CHECK_THAT(error_of([&] { read_idx(path); }), Contains("dimension count 0 at offset 3"));
  }
  SECTION("absurd header fails at once, before allocating") {
    fixtures::write_bytes(path, be32(0x00000803) + be32(0x80000000u) + be32(65535) + be32(65535));
    const auto start = std::chrono::steady_clock::now();
    const auto message = error_of([&] { read_idx(path); });
    CHECK_THAT(message, Contains(path) && Contains("2147483648 x 65535 x 65535") && Contains("limit"));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
  }
  SECTION("large but allowed claim in a tiny plain file is refused by size, not by allocation") {
    fixtures::write_bytes(path, be32(0x00000803) + be32(1000000) + be32(28) + be32(28));
    CHECK_THAT(error_of([&] { read_idx(path); }),
               Contains("truncated") && Contains("implies 784000016 bytes, file has 16"));
  }
  SECTION("a tiny gzip file with a lying header fails at its real end") {
    fixtures::write_gzip(path, be32(0x00000801) + be32(3u << 30) + "abc");
    CHECK_THAT(error_of([&] { read_idx(path); }),
               Contains(path) && Contains("truncated") && Contains("stream ends at offset 11 (decompressed)"));
  }
  SECTION("gzip file with trailing bytes") {
    fixtures::write_gzip(path, good + "zz");
    CHECK_THAT(error_of([&] { read_idx(path); }), Contains("trailing bytes after the data") && Contains("(decompressed)"));
  }
  SECTION("gzip: a damaged CRC trailer, a cut-off stream, bytes after the stream") {
    fixtures::write_gzip(path, good);
    const std::string gz = fixtures::read_bytes(path);
    std::string bad_crc = gz;
    bad_crc[bad_crc.size() - 5] ^= 0x01;  // the CRC32 is the trailer's first 4 of 8 bytes
    fixtures::write_bytes(path, bad_crc);
    CHECK_THAT(error_of([&] { read_idx(path); }),
               Contains(path) && Contains("corrupt gzip data near compressed offset") && Contains("incorrect data check"));
    fixtures::write_bytes(path, gz.substr(0, gz.size() - 3));
    CHECK_THAT(error_of([&] { read_idx(path); }),
               Contains("gzip stream is cut off: the compressed file ends at byte " + std::to_string(gz.size() - 3)));
    fixtures::write_bytes(path, gz + "junk");
    CHECK_THAT(error_of([&] { read_idx(path); }),
               Contains("4 bytes after the end of the gzip stream, from compressed offset " + std::to_string(gz.size()) + " (the file has " + std::to_string(gz.size() + 4)));
  }
  SECTION("missing file") {
    CHECK_THAT(error_of([&] { read_idx(dir.file("nope")); }),
               Contains(dir.file("nope")) && Contains("No such file"));
  }
  SECTION("a directory") {
    CHECK_THAT(error_of([&] { read_idx(dir.path().string()); }), Contains("is a directory"));
  }
  SECTION("corrupt gzip stream") {
    auto array = make_uint8_array({1000}, std::vector<std::uint8_t>(1000, 42));
    for (std::size_t i = 0; i < array.bytes.size(); ++i) array.bytes[i] = static_cast<std::uint8_t>(i * 31);
    array.gzipped = true;
    write_idx(path, array);
    std::string raw = fixtures::read_bytes(path);
    fixtures::write_bytes(path, raw.substr(0, raw.size() / 2));
    const auto message = error_of([&] { read_idx(path); });
    CHECK_THAT(message, Contains(path));
  }
}

TEST_CASE("load_dataset checks that images and labels belong together", "[data][dataset]") {
  fixtures::TempDir dir;
  const Dataset set = synthetic(5, 3, 4, 10);
  write_pair(dir, set);

  SECTION("a good pair loads") {
    const Dataset back = load_dataset(dir.file("images"), dir.file("labels"), 10);
    CHECK(back.count == 5);
    CHECK(back.rows == 3);
    CHECK(back.cols == 4);
    CHECK(back.features() == 12);
    CHECK(back.images == set.images);
    CHECK(back.labels == set.labels);
  }
  SECTION("an image file where labels are expected") {
    CHECK_THAT(error_of([&] { load_dataset(dir.file("images"), dir.file("images"), 10); }),
               Contains(dir.file("images")) && Contains("expected a label file") &&
                   Contains("0x00000803") && Contains("is this an image file?"));
  }
  SECTION("a label file where images are expected") {
    CHECK_THAT(error_of([&] { load_dataset(dir.file("labels"), dir.file("labels"), 10); }),
               Contains("expected an image file") && Contains("is this a label file?"));
  }
  SECTION("counts that disagree") {
    write_idx(dir.file("labels4"), make_uint8_array({4}, {0, 1, 2, 3}));
    CHECK_THAT(error_of([&] { load_dataset(dir.file("images"), dir.file("labels4"), 10); }),
               Contains("holds 4 labels but") && Contains("holds 5 images"));
  }
  SECTION("a label outside the class count") {
    write_idx(dir.file("labels-big"), make_uint8_array({5}, {0, 1, 12, 3, 4}));
    CHECK_THAT(error_of([&] { load_dataset(dir.file("images"), dir.file("labels-big"), 10); }),
               Contains("label 12 at index 2 (byte offset 10) is not below the class count 10"));
  }
  SECTION("an image side beyond 65535") {
    write_idx(dir.file("tall"), make_uint8_array({1, 70000, 1}, std::vector<std::uint8_t>(70000, 0)));
    write_idx(dir.file("one-label"), make_uint8_array({1}, {0}));
    CHECK_THAT(error_of([&] { load_dataset(dir.file("tall"), dir.file("one-label"), 10); }),
               Contains("image dimension 1 is 70000 (at byte offset 8), more than 65535"));
  }
  SECTION("images that are not uint8") {
    IdxArray floats;
    floats.type = IdxType::Float32;
    floats.dims = {5, 1, 1};
    floats.bytes.assign(20, 0);
    write_idx(dir.file("float-images"), floats);
    CHECK_THAT(error_of([&] { load_dataset(dir.file("float-images"), dir.file("labels"), 10); }),
               Contains("element type float32") && Contains("uint8"));
  }
}

TEST_CASE("load_first reads the first samples only, with load_dataset's checks", "[data][dataset]") {
  fixtures::TempDir dir;
  const Dataset set = synthetic(5, 3, 4, 10);
  write_pair(dir, set);
  const Dataset first = load_first(dir.file("images"), dir.file("labels"), 2, 10);
  CHECK(first.count == 2);
  CHECK(first.rows == 3);
  CHECK(first.cols == 4);
  CHECK(first.images == std::vector<std::uint8_t>(set.images.begin(), set.images.begin() + 24));
  CHECK(first.labels == std::vector<std::uint8_t>(set.labels.begin(), set.labels.begin() + 2));
  CHECK(load_first(dir.file("images"), dir.file("labels"), 50, 10).count == 5);  // all there is
  // A label beyond the class count is refused among the samples read, not after them.
  write_idx(dir.file("labels-big"), make_uint8_array({5}, {0, 1, 12, 3, 4}));
  CHECK(load_first(dir.file("images"), dir.file("labels-big"), 2, 10).count == 2);
  CHECK_THAT(error_of([&] { load_first(dir.file("images"), dir.file("labels-big"), 3, 10); }),
             Contains("label 12 at index 2 (byte offset 10) is not below the class count 10"));
  write_idx(dir.file("labels4"), make_uint8_array({4}, {0, 1, 2, 3}));
  CHECK_THAT(error_of([&] { load_first(dir.file("images"), dir.file("labels4"), 2, 10); }),
             Contains("holds 4 labels but") && Contains("holds 5 images"));
}

TEST_CASE("validation split takes the last fraction before shuffling, like Keras",
          "[data][dataset]") {
  Dataset train = synthetic(10, 2, 2, 10);
  const Dataset original = train;
  const Dataset validation = split_validation(train, 0.25);
  // Keras: split_at = int(10 * (1 - 0.25)) = 7.
  CHECK(train.count == 7);
  CHECK(validation.count == 3);
  CHECK(validation.labels == std::vector<std::uint8_t>{7, 8, 9});
  CHECK(std::equal(validation.images.begin(), validation.images.end(), original.image(7)));
  CHECK(train.images.size() == 7 * 4);
  CHECK_THAT(error_of([&] { split_validation(train, 1.0); }), Contains("validation_split"));
  // A split so small (or large) that one side is empty is an error, not an empty set.
  CHECK_THAT(error_of([&] { split_validation(train, 1e-17); }),
             Contains("leaves 7 for training and 0 for validation; both need at least one"));
}

TEST_CASE("an epoch of batches covers every sample exactly once, last batch partial",
          "[data][batches]") {
  const Dataset set = synthetic(1000, 2, 3, 10);
  BatchIterator batches(set, 128);
  REQUIRE(batches.num_batches() == 8);  // ceil(1000 / 128)
  batches.shuffle(42, 0);
  std::multiset<std::uint32_t> seen;
  std::size_t total = 0;
  for (std::size_t b = 0; b < batches.num_batches(); ++b) {
    const Batch batch = batches.batch(b);
    CHECK(batch.size == (b + 1 < batches.num_batches() ? 128u : 1000u - 7 * 128));
    for (std::size_t row = 0; row < batch.size; ++row) {
      const std::uint32_t sample = batches.order()[b * 128 + row];
      seen.insert(sample);
      // The reshape and scale: pixel p of the sample, divided by 255.
      for (int p = 0; p < 6; ++p) {
        REQUIRE(batch.x[row * 6 + p] == static_cast<float>(set.image(sample)[p]) / 255.0f);
      }
      REQUIRE(batch.labels[row] == set.labels[sample]);
    }
    total += batch.size;
  }
  CHECK(total == 1000);
  CHECK(seen.size() == 1000);
  CHECK(std::set<std::uint32_t>(seen.begin(), seen.end()).size() == 1000);
}

TEST_CASE("MNIST's 60,000 samples in batches of 128 make 469 batches, the last of 96",
          "[data][batches]") {
  Dataset set;
  set.count = 60000;
  set.rows = 1;
  set.cols = 1;
  set.images.assign(60000, 0);
  set.labels.assign(60000, 0);
  BatchIterator batches(set, 128);
  CHECK(batches.num_batches() == 469);
  CHECK(batches.batch(468).size == 96);
}

TEST_CASE("scale_pixels gives exactly pixel / 255.0f for every byte value", "[data][batches]") {
  std::vector<std::uint8_t> pixels(256);
  for (std::size_t v = 0; v < 256; ++v) pixels[v] = static_cast<std::uint8_t>(v);
  std::vector<float> x(256);
  scale_pixels(pixels.data(), pixels.size(), x.data());
  for (std::size_t v = 0; v < 256; ++v) {
    volatile float divisor = 255.0f;  // a real float division, not one the compiler rewrote
    const float quotient = static_cast<float>(v) / divisor;
    INFO("pixel " << v);
    CHECK(std::memcmp(&x[v], &quotient, sizeof(float)) == 0);
  }
}

TEST_CASE("one-hot rows have a single 1 at the label", "[data][batches]") {
  const Dataset set = synthetic(13, 1, 2, 10);
  BatchIterator batches(set, 5);
  batches.shuffle(7, 3);
  for (std::size_t b = 0; b < batches.num_batches(); ++b) {
    const Batch batch = batches.batch(b);
    for (std::size_t row = 0; row < batch.size; ++row) {
      for (int c = 0; c < 10; ++c) {
        REQUIRE(batch.onehot[row * 10 + c] == (c == batch.labels[row] ? 1.0f : 0.0f));
      }
    }
  }
  // Label 3 -> [0,0,0,1,0,0,0,0,0,0], as in the notes.
  batches.unshuffle();
  const Batch first = batches.batch(0);
  REQUIRE(first.labels[3] == 3);
  CHECK(std::vector<float>(first.onehot + 30, first.onehot + 40) ==
        std::vector<float>{0, 0, 0, 1, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("shuffles: same seed same order, other seed or epoch another order", "[data][batches]") {
  const Dataset set = synthetic(100, 1, 1, 10);
  BatchIterator a(set, 10), b(set, 10);
  a.shuffle(42, 0);
  b.shuffle(42, 0);
  CHECK(a.order() == b.order());
  b.shuffle(43, 0);
  CHECK(a.order() != b.order());
  b.shuffle(42, 1);
  CHECK(a.order() != b.order());
  // Pinned: the order is the same on every machine and compiler.
  CHECK(std::vector<std::uint32_t>(a.order().begin(), a.order().begin() + 5) ==
        std::vector<std::uint32_t>{40, 19, 31, 49, 2});
  a.unshuffle();
  CHECK(a.order()[0] == 0);
  CHECK(a.order()[99] == 99);
}

TEST_CASE("render draws two characters per pixel and PGM has the P5 header", "[data][render]") {
  const std::uint8_t pixels[] = {0, 255, 128, 0};
  const std::string ascii = render_image(pixels, 2, 2, false);
  CHECK(ascii == "  @@\n++  \n");  // 128 * 10 / 256 = level 5 of " .:-=+*#%@"
  const std::string pgm = to_pgm(pixels, 2, 2);
  CHECK(pgm == std::string("P5\n2 2\n255\n\x00\xff\x80\x00", 15));
}

TEST_CASE("image_shape reads (rows, cols) from the header alone", "[data][idx]") {
  fixtures::TempDir dir;
  write_pair(dir, synthetic(3, 4, 5, 2));
  CHECK(image_shape(dir.file("images")) == std::vector<int>{4, 5});
  // The data may be cut short: only the header is read.
  const std::string bytes = fixtures::read_bytes(dir.file("images"));
  fixtures::write_bytes(dir.file("cut"), bytes.substr(0, 16 + 7));
  CHECK(image_shape(dir.file("cut")) == std::vector<int>{4, 5});
  // A label file is not an image file, here as in load_images.
  CHECK_THROWS_WITH(image_shape(dir.file("labels")), Catch::Matchers::Contains("is this a label file?"));
}

TEST_CASE("random_dataset draws pixels and labels of the asked shape from its seed", "[data]") {
  const Dataset a = random_dataset(6, 3, 4, 5, 9);
  CHECK(a.count == 6);
  CHECK(a.rows == 3);
  CHECK(a.cols == 4);
  CHECK(a.images.size() == 6u * 12u);
  REQUIRE(a.labels.size() == 6);
  for (std::uint8_t label : a.labels) CHECK(label < 5);
  CHECK(random_dataset(6, 3, 4, 5, 9).images == a.images);
  CHECK(random_dataset(6, 3, 4, 5, 10).images != a.images);
}

TEST_CASE("check_selection refuses images outside the file", "[data]") {
  CHECK_NOTHROW(check_selection("f", 0, 10, 10));
  CHECK_NOTHROW(check_selection("f", 9, 1, 10));
  CHECK_THROWS_WITH(check_selection("f", 9, 2, 10), "f: --index 9 --count 2 is outside the 10 images");
  CHECK_THROWS_WITH(check_selection("f", 10, 1, 10), "f: --index 10 --count 1 is outside the 10 images");
}

TEST_CASE("transpose_images swaps each image's rows and columns", "[data][dataset]") {
  // Two 2x3 images, as EMNIST stores its images: row-major, rows and columns swapped.
  Dataset set;
  set.count = 2;
  set.rows = 2;
  set.cols = 3;
  set.images = {1, 2, 3,
                4, 5, 6,
                7, 8, 9,
                10, 11, 12};
  set.labels = {0, 1};
  transpose_images(set);
  CHECK(set.rows == 3);
  CHECK(set.cols == 2);
  CHECK(set.count == 2);
  CHECK(set.images == std::vector<std::uint8_t>{1, 4,
                                                2, 5,
                                                3, 6,
                                                7, 10,
                                                8, 11,
                                                9, 12});
  CHECK(set.labels == std::vector<std::uint8_t>{0, 1});
}

TEST_CASE("scan_idx finds the extremes and the count of image pixels across read chunks", "[data]") {
  // 1.5 MB of pixels (two 1 MB read chunks), between 3 and 200: the lowest in the first chunk,
  // the highest in the second.
  fixtures::TempDir dir;
  const std::uint32_t n = 1536, side = 32;
  std::vector<std::uint8_t> pixels(std::size_t{n} * side * side);
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(10 + i % 100);
  pixels[12345] = 3;
  pixels[1200000] = 200;
  write_idx(dir.file("images"), make_uint8_array({n, side, side}, pixels));
  const IdxStats stats = scan_idx(dir.file("images"));
  CHECK(stats.count == pixels.size());
  CHECK(stats.min == 3.0);
  CHECK(stats.max == 200.0);
  CHECK(stats.nan_count == 0);
  CHECK(stats.label_counts.empty());
}
