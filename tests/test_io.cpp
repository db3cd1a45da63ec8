// The model-file container (layout, alignment, CRC), model.bin and checkpoint.bin round trips,
// every way a damaged or forged file is rejected (each message naming the file and the check
// that failed), and that atomic writes leave no temporary files behind.
#include "config/config.h"
#include "error.h"
#include "fixtures.h"
#include "io/atomic_file.h"
#include "io/huge_pages.h"
#include "io/json_text.h"
#include "io/model_file.h"
#include "io/quote.h"
#include "nn/network.h"
#include "train/checkpoint.h"
#include "train/saved_model.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <csignal>
#include <limits>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string>
#include <vector>

using fixtures::error_of;
using fixtures::read_bytes;
using fixtures::TempDir;
using fixtures::write_bytes;
using nlohmann::json;
namespace config = mnisttrain::config;
namespace io = mnisttrain::io;
namespace nn = mnisttrain::nn;
namespace train = mnisttrain::train;

namespace {

std::size_t padded64(std::size_t n) { return (n + 63) / 64 * 64; }

std::uint32_t u32_at(const std::string& bytes, std::size_t offset) {
  std::uint32_t v;
  std::memcpy(&v, bytes.data() + offset, 4);
  return v;
}

void set_u32(std::string& bytes, std::size_t offset, std::uint32_t v) {
  std::memcpy(&bytes[offset], &v, 4);
}

std::uint32_t crc_of(const std::string& bytes, std::size_t length) {
  return static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(length)));
}

// Replaces the trailing CRC with the right one for the (edited) bytes before it, so the
// check under test is the one that fails, not the CRC.
void fix_crc(std::string& bytes) { set_u32(bytes, bytes.size() - 4, crc_of(bytes, bytes.size() - 4)); }

std::string u32_bytes(std::uint32_t v) {
  std::string s(4, '\0');
  std::memcpy(&s[0], &v, 4);
  return s;
}

// Builds a container by hand, independently of save_model_file: preamble, header text, zero
// padding to 64 (unless `pad` is false), the payload bytes and a valid CRC.
std::string assemble(const std::string& header_text, const std::string& payload, bool pad = true) {
  std::string out = "MNISTTRN" + u32_bytes(1) + u32_bytes(static_cast<std::uint32_t>(header_text.size()));
  out += header_text;
  if (pad) out.resize(padded64(out.size()), '\0');
  out += payload;
  out += u32_bytes(crc_of(out, out.size()));
  return out;
}

// The header text and the float payload of a container.
std::string header_text_of(const std::string& bytes) { return bytes.substr(16, u32_at(bytes, 12)); }
std::string payload_of(const std::string& bytes) {
  const std::size_t start = padded64(16 + u32_at(bytes, 12));
  return bytes.substr(start, bytes.size() - 4 - start);
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// The book network (784 -> 512 relu -> 10 softmax), initialised from a seed.
struct BookModel {
  config::Config config = config::default_config();
  nn::Network network{config.model, {28, 28}, config.data.num_classes};
  BookModel() { network.init_params(1234); }
};

// The bytes of a good model.bin of the book network, made once.
const std::string& good_model_bytes() {
  static const std::string bytes = [] {
    TempDir dir;
    BookModel model;
    train::save_model(dir.file("model.bin"), model.config, model.network);
    return read_bytes(dir.file("model.bin"));
  }();
  return bytes;
}

std::string load_model_error(const std::string& path) {
  return error_of([&] { train::load_model(path); });
}

std::vector<std::string> folder_listing(const std::filesystem::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

bool has_temp_file(const std::filesystem::path& folder) {
  for (const std::string& name : folder_listing(folder)) {
    if (contains(name, ".tmp.")) return true;
  }
  return false;
}

}  // namespace

// --- the container -------------------------------------------------------------------------

TEST_CASE("model file container round trip: layout, alignment, CRC and exact arrays", "[io]") {
  TempDir dir;
  const std::string path = dir.file("c.bin");
  const std::vector<float> a{1.5f, -0.0f, std::numeric_limits<float>::denorm_min(),
                             std::numeric_limits<float>::quiet_NaN(),
                             -std::numeric_limits<float>::infinity(), 3.4028235e38f};
  std::vector<float> b(17);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<float>(i) * 0.1f - 1.0f;
  const json header = {{"kind", "test"}, {"n", 3}, {"nested", {{"x", {1, 2}}, {"pi", 3.141592653589793}}},
                       {"arrays", "replaced by the writer"}};
  const std::vector<float> empty;
  io::save_model_file(path, header, {{"a", a}, {"empty", empty}, {"b", b}});

  const std::string bytes = read_bytes(path);
  REQUIRE(bytes.size() > 20);
  CHECK(bytes.substr(0, 8) == "MNISTTRN");
  CHECK(u32_at(bytes, 8) == io::kModelFormatVersion);
  CHECK(u32_at(bytes, 8) == 1u);
  const std::uint32_t H = u32_at(bytes, 12);
  const json stored_header = json::parse(bytes.substr(16, H));
  CHECK(stored_header["kind"] == "test");
  CHECK(stored_header["arrays"] == json::parse(R"([{"name":"a","count":6},{"name":"empty","count":0},
                                                   {"name":"b","count":17}])"));
  // The floats start at the first multiple of 64 after the header, the gap is zeros.
  const std::size_t P = padded64(16 + H);
  CHECK(P % 64 == 0);
  CHECK(P >= 16 + H);
  CHECK(P - (16 + H) < 64);
  CHECK(bytes.substr(16 + H, P - (16 + H)) == std::string(P - (16 + H), '\0'));
  CHECK(bytes.size() == P + (a.size() + b.size()) * sizeof(float) + 4);
  CHECK(std::memcmp(bytes.data() + P, a.data(), a.size() * sizeof(float)) == 0);
  CHECK(std::memcmp(bytes.data() + P + a.size() * sizeof(float), b.data(), b.size() * sizeof(float)) == 0);
  CHECK(u32_at(bytes, bytes.size() - 4) == crc_of(bytes, bytes.size() - 4));
  // The same bytes a hand-built container of this header and payload has.
  CHECK(assemble(bytes.substr(16, H), payload_of(bytes)) == bytes);

  const io::ModelFile file = io::load_model_file(path);
  CHECK(file.header == stored_header);
  CHECK(file.header["nested"]["pi"].get<double>() == 3.141592653589793);
  REQUIRE(file.arrays.size() == 3);
  CHECK(file.arrays[0].name == "a");
  CHECK(file.arrays[1].name == "empty");
  CHECK(file.arrays[2].name == "b");
  CHECK(same_bits(file.arrays[0].values, a));
  CHECK(file.arrays[1].values.empty());
  CHECK(same_bits(file.arrays[2].values, b));
  CHECK(same_bits(file.array("b", path), b));
  CHECK(error_of([&] { file.array("missing", path); }) == path + ": header: no array named \"missing\"");
  CHECK(!has_temp_file(dir.path()));
}

TEST_CASE("model file container: every padding length keeps the floats 64-byte aligned", "[io]") {
  TempDir dir;
  const std::string path = dir.file("pad.bin");
  const std::vector<float> values{0.25f, -7.0f, 1e-30f};
  bool saw_no_padding = false;
  for (std::size_t extra = 0; extra < 64; ++extra) {
    io::save_model_file(path, {{"note", std::string(extra, 'x')}}, {{"v", values}});
    const std::string bytes = read_bytes(path);
    const std::uint32_t H = u32_at(bytes, 12);
    const std::size_t P = padded64(16 + H);
    INFO("header length " << H);
    if (P == 16 + H) saw_no_padding = true;
    CHECK(bytes.size() == P + values.size() * sizeof(float) + 4);
    CHECK(std::memcmp(bytes.data() + P, values.data(), values.size() * sizeof(float)) == 0);
    const io::ModelFile file = io::load_model_file(path);
    CHECK(file.header["note"].get<std::string>().size() == extra);
    CHECK(same_bits(file.array("v", path), values));
  }
  CHECK(saw_no_padding);  // the header ending exactly on a 64-byte boundary was covered
}

TEST_CASE("write_file_atomic replaces the file and leaves no *.tmp.* behind", "[io]") {
  TempDir dir;
  const std::string path = dir.file("out.txt");
  io::write_file_atomic(path, std::string("first version"));
  CHECK(read_bytes(path) == "first version");
  io::write_file_atomic(path, std::string("second"));
  CHECK(read_bytes(path) == "second");
  io::write_file_atomic(dir.file("empty.txt"), std::string());
  CHECK(read_bytes(dir.file("empty.txt")).empty());
  CHECK(!has_temp_file(dir.path()));
  CHECK(folder_listing(dir.path()).size() == 2);

  // A folder that does not exist: an Error naming the target, nothing created.
  const std::string missing = dir.file("no/such/folder/out.txt");
  const std::string message = error_of([&] { io::write_file_atomic(missing, std::string("x")); });
  CHECK(message.rfind(missing + ": cannot create temporary file", 0) == 0);
  CHECK(folder_listing(dir.path()).size() == 2);
}

TEST_CASE("write_file_atomic writes pieces back to back, empty ones included", "[io]") {
  TempDir dir;
  const std::string path = dir.file("pieces.bin");
  const std::string big(100000, 'w');  // larger than stdio's buffer: written straight through
  io::write_file_atomic(path, {std::string_view(), "head", std::string_view(), big, "tail"});
  CHECK(read_bytes(path) == "head" + big + "tail");
  io::write_file_atomic(path, std::vector<std::string_view>{});
  CHECK(read_bytes(path).empty());
  CHECK(!has_temp_file(dir.path()));
}

// A disk that fills up mid-write, played by a file-size limit of 64 KB (with SIGXFSZ ignored,
// the write that crosses it fails with EFBIG): the old file stays, no temporary is left.
TEST_CASE("write_file_atomic: a write cut short leaves the old file whole and names the count", "[io]") {
  TempDir dir;
  const std::string path = dir.file("model.bin");
  io::write_file_atomic(path, std::string("old content"));
  const std::string big(100000, 'w');
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit limited = saved;
  limited.rlim_cur = 65536;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &limited) == 0);
  const std::string message = error_of([&] { io::write_file_atomic(path, {"head", big, "tail"}); });
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);
  CHECK(contains(message, path + ": write failed after "));
  CHECK(contains(message, " of 100008 bytes: File too large"));
  CHECK(read_bytes(path) == "old content");
  CHECK(!has_temp_file(dir.path()));
}

TEST_CASE("write_file_atomic never changes the old file in place: a new file is renamed over it", "[io]") {
  TempDir dir;
  const std::string path = dir.file("out.txt");
  io::write_file_atomic(path, std::string("old content"));
  // A second name for the old file and a reader holding it open: an in-place write would change
  // what both see; a rename leaves the old file as it was and only moves the name.
  REQUIRE(::link(path.c_str(), dir.file("old-alias").c_str()) == 0);
  std::ifstream reader(path, std::ios::binary);
  struct stat before {};
  REQUIRE(::stat(path.c_str(), &before) == 0);

  io::write_file_atomic(path, std::string("new"));
  CHECK(read_bytes(path) == "new");
  CHECK(read_bytes(dir.file("old-alias")) == "old content");
  CHECK(std::string(std::istreambuf_iterator<char>(reader), std::istreambuf_iterator<char>()) == "old content");
  struct stat after {};
  REQUIRE(::stat(path.c_str(), &after) == 0);
  CHECK(after.st_ino != before.st_ino);
  CHECK(!has_temp_file(dir.path()));
}

TEST_CASE("write_file_atomic goes through a temporary file: when that cannot be made, the old file stays whole", "[io]") {
  TempDir dir;
  const std::string path = dir.file("out.txt");
  io::write_file_atomic(path, std::string("old content"));
  // Occupy the temporary name with a folder, so the temporary file cannot be created.
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  std::filesystem::create_directory(temp);
  const std::string message = error_of([&] { io::write_file_atomic(path, std::string("new")); });
  CHECK(contains(message, path + ": cannot create temporary file " + temp));
  CHECK(read_bytes(path) == "old content");
}

// --- model.bin -----------------------------------------------------------------------------

TEST_CASE("save_model / load_model round trip of the book network", "[io]") {
  TempDir dir;
  const std::string path = dir.file("model.bin");
  BookModel model;
  const std::size_t n = model.network.param_count();
  REQUIRE(n == 784 * 512 + 512 + 512 * 10 + 10);
  // init_params really filled the kernels: a round trip of zeros would prove little.
  std::size_t nonzero = 0;
  for (float x : model.network.params()) nonzero += x != 0.0f;
  REQUIRE(nonzero > n / 2);

  train::save_model(path, model.config, model.network);
  CHECK(!has_temp_file(dir.path()));
  const std::string bytes = read_bytes(path);
  CHECK(bytes.size() == padded64(16 + u32_at(bytes, 12)) + n * sizeof(float) + 4);

  const train::SavedModel loaded = train::load_model(path);
  REQUIRE(loaded.network);
  CHECK(loaded.header["kind"] == "model");
  CHECK(loaded.header["architecture"] == train::kArchitecture);
  CHECK(loaded.header["param_count"].get<std::size_t>() == n);
  CHECK(loaded.header["num_classes"].get<int>() == 10);
  CHECK(loaded.header["input_shape"] == json::array({28, 28}));
  CHECK(loaded.network->input_shape() == std::vector<int>{28, 28});
  CHECK(loaded.network->param_count() == n);
  REQUIRE(loaded.network->layers().size() == 2);
  CHECK(loaded.network->layers()[0].outputs == 512);
  CHECK(loaded.network->layers()[1].spec.activation == nn::Activation::Softmax);
  CHECK(config::to_json(loaded.config) == config::to_json(model.config));
  CHECK(loaded.config.data.test_images == model.config.data.test_images);
  // Bit for bit.
  CHECK(same_bits(loaded.network->params(), model.network.params()));

  // And so the same predictions.
  std::vector<float> x(784);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 255) / 255.0f;
  const float* a = model.network.forward(x.data(), 1, false);
  std::vector<float> expected(a, a + 10);
  const float* b = loaded.network->forward(x.data(), 1, false);
  CHECK(std::vector<float>(b, b + 10) == expected);
}

TEST_CASE("corrupt model: truncated at any point", "[io]") {
  const std::string& good = good_model_bytes();
  const std::size_t H = u32_at(good, 12);
  const std::size_t P = padded64(16 + H);
  const std::string header_length = "header length " + std::to_string(H) + " at offset 12 does not fit";
  const std::string crc = "CRC32 mismatch";
  struct Cut {
    std::size_t size;
    std::string expected;
  };
  const std::vector<Cut> cuts = {
      {0, "truncated: 0 bytes, a model file has at least 20"},
      {7, "truncated: 7 bytes"},
      {19, "truncated: 19 bytes, a model file has at least 20 (16-byte preamble + 4-byte CRC)"},
      {20, header_length + " the file's 20 bytes"},
      {16 + H / 2, header_length},
      {16 + H + 3, header_length},
      {16 + H + 4, crc},
      {P, crc},
      {P + 4 * 1000 + 2, crc},  // in the middle of a float
      {good.size() / 2, crc},
      {good.size() - 4, crc},
      {good.size() - 1, crc},
  };
  TempDir dir;
  const std::string path = dir.file("model.bin");
  for (const Cut& cut : cuts) {
    write_bytes(path, good.substr(0, cut.size));
    const std::string message = load_model_error(path);
    INFO("cut at " << cut.size << ": " << message);
    CHECK(message.rfind(path + ": ", 0) == 0);
    CHECK(contains(message, cut.expected));
  }
}

TEST_CASE("corrupt model: a bit flip in the floats fails the CRC", "[io]") {
  std::string bytes = good_model_bytes();
  const std::size_t P = padded64(16 + u32_at(bytes, 12));
  bytes[P + 4 * 123 + 1] = static_cast<char>(bytes[P + 4 * 123 + 1] ^ 0x10);
  TempDir dir;
  const std::string path = dir.file("model.bin");
  write_bytes(path, bytes);
  char expected[160];
  std::snprintf(expected, sizeof expected,
                ": CRC32 mismatch: stored 0x%08X at offset %zu, computed 0x%08X (the file is corrupt or truncated)",
                u32_at(bytes, bytes.size() - 4), bytes.size() - 4, crc_of(bytes, bytes.size() - 4));
  CHECK(load_model_error(path) == path + expected);

  // A flip in the CRC itself is caught the same way.
  std::string bad_crc = good_model_bytes();
  bad_crc[bad_crc.size() - 2] = static_cast<char>(bad_crc[bad_crc.size() - 2] ^ 0x01);
  write_bytes(path, bad_crc);
  CHECK(contains(load_model_error(path), "CRC32 mismatch"));
}

TEST_CASE("corrupt model: a bit flip in the header or its padding fails the CRC", "[io]") {
  const std::string& good = good_model_bytes();
  const std::size_t H = u32_at(good, 12);
  TempDir dir;
  const std::string path = dir.file("model.bin");
  // Inside the JSON text (still valid JSON or not, the CRC is checked first).
  for (std::size_t offset : {std::size_t{16}, 16 + H / 2, 16 + H - 1}) {
    std::string bytes = good;
    bytes[offset] = static_cast<char>(bytes[offset] ^ 0x01);
    write_bytes(path, bytes);
    const std::string message = load_model_error(path);
    INFO("flip at " << offset);
    CHECK(message.rfind(path + ": CRC32 mismatch", 0) == 0);
  }
  // In the zero padding, if this header has any.
  if (padded64(16 + H) > 16 + H) {
    std::string bytes = good;
    bytes[16 + H] = '\x01';
    write_bytes(path, bytes);
    CHECK(load_model_error(path).rfind(path + ": CRC32 mismatch", 0) == 0);
  }
}

TEST_CASE("corrupt model: wrong magic", "[io]") {
  TempDir dir;
  const std::string path = dir.file("model.bin");
  std::string bytes = good_model_bytes();
  bytes.replace(0, 8, "MNISTTRX");
  fix_crc(bytes);
  write_bytes(path, bytes);
  CHECK(load_model_error(path) ==
        path + ": not a mnisttrain model file: magic at offset 0 is \"MNISTTRX\", expected \"MNISTTRN\"");

  // Some other file entirely.
  write_bytes(path, R"({"model": {"layers": []}, "output": "runs/x"})");
  const std::string message = load_model_error(path);
  CHECK(message.rfind(path + ": not a mnisttrain model file", 0) == 0);
}

TEST_CASE("corrupt model: unsupported format version", "[io]") {
  TempDir dir;
  const std::string path = dir.file("model.bin");
  for (std::uint32_t version : {0u, 2u, 0x01000000u}) {
    std::string bytes = good_model_bytes();
    set_u32(bytes, 8, version);
    fix_crc(bytes);  // so only the version is wrong
    write_bytes(path, bytes);
    CHECK(load_model_error(path) == path + ": format version " + std::to_string(version) +
                                        " at offset 8 is not supported (this build reads version 1)");
  }
}

TEST_CASE("corrupt model: header length that does not fit the file", "[io]") {
  TempDir dir;
  const std::string path = dir.file("model.bin");
  const std::string& good = good_model_bytes();
  for (std::uint32_t length : {0xFFFFFFFFu, 0x80000000u + u32_at(good, 12), io::kMaxHeaderBytes + 1,
                               static_cast<std::uint32_t>(good.size() - 20 + 1)}) {
    std::string bytes = good;
    set_u32(bytes, 12, length);
    fix_crc(bytes);
    write_bytes(path, bytes);
    CHECK(load_model_error(path) == path + ": header length " + std::to_string(length) +
                                        " at offset 12 does not fit the file's " +
                                        std::to_string(good.size()) + " bytes");
  }
}

TEST_CASE("corrupt model: header that is not valid JSON or has no arrays list", "[io]") {
  TempDir dir;
  const std::string path = dir.file("model.bin");
  write_bytes(path, assemble("{\"kind\": \"model\", oops}", ""));
  CHECK(load_model_error(path).rfind(path + ": JSON header at offset 16: invalid JSON at byte ", 0) == 0);
  write_bytes(path, assemble("{\"kind\": \"model\"}", ""));
  CHECK(load_model_error(path) == path + ": header: missing \"arrays\" list");
  write_bytes(path, assemble(R"({"arrays": [{"name": "params", "count": -1}]})", ""));
  CHECK(contains(load_model_error(path), path + ": header: arrays entry "));
}

TEST_CASE("corrupt model: an array count that runs past the data", "[io]") {
  const std::string& good = good_model_bytes();
  const std::string payload = payload_of(good);
  json header = json::parse(header_text_of(good));
  const std::uint64_t count = header["arrays"][0]["count"].get<std::uint64_t>();
  REQUIRE(count * 4 == payload.size());
  TempDir dir;
  const std::string path = dir.file("model.bin");
  // One float too many, and a count whose byte size overflows 64 bits.
  for (std::uint64_t forged : {count + 1, std::uint64_t{1} << 62, ~std::uint64_t{0}}) {
    header["arrays"][0]["count"] = forged;
    const std::string text = header.dump();
    const std::string bytes = assemble(text, payload);
    write_bytes(path, bytes);
    const std::size_t P = padded64(16 + text.size());
    CHECK(load_model_error(path) == path + ": array \"params\" of " + std::to_string(forged) +
                                        " floats at offset " + std::to_string(P) +
                                        " runs past the data, which ends at offset " +
                                        std::to_string(bytes.size() - 4));
  }
}

TEST_CASE("corrupt model: unexpected bytes between the arrays and the CRC", "[io]") {
  const std::string& good = good_model_bytes();
  const std::string text = header_text_of(good);
  const std::string payload = payload_of(good);
  TempDir dir;
  const std::string path = dir.file("model.bin");
  write_bytes(path, assemble(text, payload + std::string(8, '\0')));
  const std::size_t end = padded64(16 + text.size()) + payload.size();
  CHECK(load_model_error(path) == path + ": 8 unexpected bytes between the arrays' end at offset " +
                                      std::to_string(end) + " and the CRC");

  // Equally when the header claims one float fewer than there is.
  json header = json::parse(text);
  header["arrays"][0]["count"] = header["arrays"][0]["count"].get<std::uint64_t>() - 1;
  write_bytes(path, assemble(header.dump(), payload));
  CHECK(contains(load_model_error(path), ": 4 unexpected bytes between the arrays' end"));
}

// A forged file (valid CRC) whose header is not followed by its padding: the float offset would
// run past the data, and unchecked size arithmetic would wrap around (and memcpy read past the
// buffer). It must be reported as truncation.
TEST_CASE("corrupt model: header padding missing is reported as such", "[io]") {
  std::string text = R"({"arrays": []})";  // 16 + 14 = 30: needs 34 bytes of padding
  REQUIRE((16 + text.size()) % 64 != 0);
  TempDir dir;
  const std::string path = dir.file("model.bin");
  write_bytes(path, assemble(text, "", false));
  const std::string message = load_model_error(path);
  INFO(message);
  CHECK(message.rfind(path + ": ", 0) == 0);
  CHECK(!contains(message, "18446744073709"));
  CHECK(contains(message, "truncated: the header's padding ends at offset 64"));
}

TEST_CASE("corrupt model: parameter count differs from the architecture", "[io]") {
  TempDir dir;
  const std::string path = dir.file("model.bin");
  BookModel model;
  const std::size_t n = model.network.param_count();
  for (std::size_t wrong : {n - 1, n + 10, std::size_t{0}}) {
    const std::vector<float> params(wrong, 0.5f);
    io::save_model_file(path, train::model_header(model.config, model.network), {{"params", params}});
    CHECK(load_model_error(path) == path + ": parameter array holds " + std::to_string(wrong) +
                                        " floats, the architecture needs " + std::to_string(n));
  }
  // Same count but a header whose config asks for another network: still caught.
  config::Config wider = model.config;
  wider.model.layers[0].units = 513;
  json header = train::model_header(model.config, model.network);
  header["config"] = config::to_json(wider);
  io::save_model_file(path, header, {{"params", model.network.params()}});
  CHECK(load_model_error(path) == path + ": parameter array holds " + std::to_string(n) +
                                      " floats, the architecture needs " +
                                      std::to_string(784 * 513 + 513 + 513 * 10 + 10));
}

TEST_CASE("corrupt model: wrong architecture, missing params, invalid network", "[io]") {
  TempDir dir;
  const std::string path = dir.file("model.bin");
  BookModel model;
  json header = train::model_header(model.config, model.network);

  header["architecture"] = "keras.Sequential";
  io::save_model_file(path, header, {{"params", model.network.params()}});
  CHECK(load_model_error(path) ==
        path + ": header.architecture: is \"keras.Sequential\", expected \"mnisttrain.sequential\"");

  header["architecture"] = train::kArchitecture;
  io::save_model_file(path, header, {{"weights", model.network.params()}});
  CHECK(load_model_error(path) == path + ": header: no array named \"params\"");

  header["num_classes"] = 9;  // the layers end in 10 units
  io::save_model_file(path, header, {{"params", model.network.params()}});
  CHECK(load_model_error(path).rfind(path + ": header describes an invalid network: ", 0) == 0);

  CHECK(load_model_error(dir.file("absent.bin")).rfind(dir.file("absent.bin") + ": cannot open", 0) == 0);
}

TEST_CASE("load_checkpoint refuses a model.bin", "[io]") {
  TempDir dir;
  const std::string path = dir.file("model.bin");
  write_bytes(path, good_model_bytes());
  const std::string message = error_of([&] { train::load_checkpoint(path); });
  CHECK(message.rfind(path + ": header.kind: is \"model\", expected \"checkpoint\"", 0) == 0);
}

// --- checkpoint.bin ------------------------------------------------------------------------

TEST_CASE("checkpoint round trip keeps every number exactly", "[io]") {
  train::Checkpoint c;
  c.config = config::default_config();
  c.config.data.validation_split = 0.1;
  c.config.training.optimizer.type = mnisttrain::optim::OptimizerType::Adam;
  c.config.training.optimizer.clipnorm = 1.5;
  c.config.training.early_stopping.enabled = true;
  c.config.training.early_stopping.patience = 3;
  c.config.training.early_stopping.restore_best_weights = true;
  c.config.training.seed = 18446744073709551557ull;

  train::LoopState& s = c.state;
  s.epoch = 7;
  s.batch = 321;
  s.loss_sum = 0.1 + 0.2;                 // 0.30000000000000004
  s.correct = 41234;
  s.seen = 54321;
  c.history.push_back({1, 1.0 / 3.0, 0.9123456789012345, true, 5e-324, 0.1 * 3, 0.001, 1.5, 40000.0});
  c.history.push_back({2, 0.2718281828459045, 1.0, true, 1.7976931348623157e308, 2.0 / 3.0, 1e-4, 2.25, 1e9});
  c.early_stopping = {true, 0.07123456789012345, 4, 2};
  c.save_best = {true, 0.98765432109876543, 5, 0};

  c.params = {1.0f, -0.0f, std::numeric_limits<float>::denorm_min(), 3.4028235e38f, 0.1f};
  c.optimizer_state = {0.5f, 1e-38f, -2.5f, 7.0f, 0.125f, 1e-20f, 0.0f, 42.0f, 1.0f / 3.0f, -1.0f};
  c.optimizer_steps = (std::int64_t{1} << 53) + 1;  // not a double: must not go through one
  c.dropout_rng = {0xFFFFFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFFEull, 0x8000000000000000ull,
                   0x8000000000000001ull};
  c.best_params = {0.9f, -0.9f, 1e-7f, 2.0f, 0.3f};

  TempDir dir;
  const std::string path = dir.file("checkpoint.bin");
  train::save_checkpoint(path, c);
  CHECK(!has_temp_file(dir.path()));
  const train::Checkpoint r = train::load_checkpoint(path);

  CHECK(r.state.epoch == 7);
  CHECK(r.state.batch == 321u);
  CHECK(r.optimizer_steps == (std::int64_t{1} << 53) + 1);
  CHECK(r.state.loss_sum == s.loss_sum);
  CHECK(r.state.loss_sum != 0.3);
  CHECK(r.state.correct == 41234u);
  CHECK(r.state.seen == 54321u);
  CHECK(r.dropout_rng == c.dropout_rng);
  REQUIRE(r.history.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) CHECK(train::to_json(r.history[i]) == train::to_json(c.history[i]));
  CHECK(r.history[0].loss == 1.0 / 3.0);
  CHECK(r.history[0].has_validation);
  CHECK(r.history[0].val_loss == 5e-324);
  CHECK(r.history[0].val_accuracy == 0.1 * 3);
  CHECK(r.history[1].val_loss == 1.7976931348623157e308);
  CHECK(r.history[1].samples_per_second == 1e9);
  CHECK(r.early_stopping.has_best);
  CHECK(r.early_stopping.best == c.early_stopping.best);
  CHECK(r.early_stopping.best_epoch == 4);
  CHECK(r.early_stopping.wait == 2);
  CHECK(r.save_best.has_best);
  CHECK(r.save_best.best == c.save_best.best);
  CHECK(r.save_best.best_epoch == 5);
  CHECK(r.save_best.wait == 0);
  CHECK(same_bits(r.params, c.params));
  CHECK(same_bits(r.optimizer_state, c.optimizer_state));
  CHECK(same_bits(r.best_params, c.best_params));
  CHECK(config::to_json(r.config) == config::to_json(c.config));
  CHECK(r.config.training.seed == 18446744073709551557ull);

  // Without best weights there is no best_params array, and none comes back.
  c.best_params.clear();
  train::save_checkpoint(path, c);
  const train::Checkpoint r2 = train::load_checkpoint(path);
  CHECK(r2.best_params.empty());
  CHECK(io::load_model_file(path).arrays.size() == 2);
  CHECK(folder_listing(dir.path()) == std::vector<std::string>{"checkpoint.bin"});

  // A checkpoint is not a model, and the message says what to pass instead.
  CHECK(load_model_error(path) ==
        path + ": header.kind: is \"checkpoint\", expected \"model\" (this is a checkpoint, training state for "
               "`train --resume`; use the model.bin written beside it, which holds the weights at the end of the run)");
}

TEST_CASE("escaped: control and non-UTF-8 bytes shown as escapes, long text cut", "[io]") {
  using mnisttrain::io::escaped;
  CHECK(escaped("plain/path.bin") == "plain/path.bin");
  CHECK(escaped(std::string("a\nb\0c\x01", 6)) == "a\\nb\\x00c\\x01");
  CHECK(escaped("caf\xC3\xA9 \xE2\x9C\x93") == "caf\xC3\xA9 \xE2\x9C\x93");  // valid UTF-8 kept
  CHECK(escaped("bad \xC3 \xFF \xED\xA0\x80") == "bad \\xC3 \\xFF \\xED\\xA0\\x80");  // cut, invalid, surrogate
  CHECK(escaped(std::string(500, 'x'), 10) == std::string(10, 'x') + "...");
}

TEST_CASE("parse_json_text: depth limit, duplicate keys with their path, short syntax errors", "[io]") {
  using mnisttrain::io::parse_json_text;
  CHECK(parse_json_text(std::string(64, '[') + std::string(64, ']'), "f").is_array());
  CHECK(error_of([] { parse_json_text(std::string(65, '[') + std::string(65, ']'), "f"); })
            .rfind("f: JSON nested more than 64 levels deep at ", 0) == 0);
  CHECK(error_of([] { parse_json_text(R"({"a": [1, {"b": 1, "b": 2}]})", "f"); }) ==
        "f: duplicate key \"b\" in a[1]");
  CHECK(parse_json_text(R"({"a": {"b": 1}, "c": {"b": 2}})", "f")["c"]["b"] == 2);  // same key, other objects
  CHECK(error_of([] { parse_json_text("{\"a\": " + std::string(100000, '1') + "x}", "f"); }).size() < 400);
}

TEST_CASE("write_file_atomic: through symlinks, never over non-regular files", "[io]") {
  TempDir dir;
  write_bytes(dir.file("target"), "old");
  std::filesystem::create_symlink("target", dir.file("link"));
  mnisttrain::io::write_file_atomic(dir.file("link"), std::string("new"));
  CHECK(std::filesystem::is_symlink(dir.file("link")));
  CHECK(read_bytes(dir.file("target")) == "new");
  std::filesystem::create_directory(dir.file("folder"));
  CHECK(error_of([&] { mnisttrain::io::write_file_atomic(dir.file("folder"), std::string("x")); }) ==
        dir.file("folder") + ": exists and is a directory; refusing to replace it (output paths must be regular files or new)");
  REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0644) == 0);
  CHECK(error_of([&] { mnisttrain::io::write_file_atomic(dir.file("fifo"), std::string("x")); })
            .find("exists and is a FIFO") != std::string::npos);
  CHECK(std::filesystem::is_fifo(dir.file("fifo")));
}

TEST_CASE("the model writer refuses a header its reader would refuse", "[io]") {
  TempDir dir;
  const nlohmann::json header = {{"kind", "model"}, {"pad", std::string(mnisttrain::io::kMaxHeaderBytes, 'p')}};
  CHECK(error_of([&] { mnisttrain::io::save_model_file(dir.file("m.bin"), header, {}); })
            .find("more than the 16777216 a model file allows") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("m.bin")));
}

// A small checkpoint written by save_checkpoint, as a container to edit.
struct SmallCheckpoint {
  TempDir dir;
  std::string path = dir.file("checkpoint.bin");
  SmallCheckpoint() {
    train::Checkpoint c;
    c.config = config::default_config();
    c.state.epoch = 1;
    c.state.batch = 3;
    c.params = {0.5f, -0.25f, 1.0f};
    c.optimizer_state = {0.1f, 0.2f, 0.3f};
    c.best_params = {0.4f, 0.5f, 0.6f};
    train::save_checkpoint(path, c);
  }
};

TEST_CASE("corrupt checkpoint: each missing header field is named", "[io]") {
  SmallCheckpoint good;
  const io::ModelFile file = io::load_model_file(good.path);
  for (const char* field : {"config", "epoch", "batch", "step", "loss_sum", "correct", "seen", "dropout_rng",
                            "history", "early_stopping", "save_best"}) {
    DYNAMIC_SECTION("without " << field) {
      json header = file.header;
      REQUIRE(header.erase(field) == 1);
      header.erase("arrays");
      io::save_model_file(good.path, header, {file.arrays.begin(), file.arrays.end()});  // a valid container with a valid CRC
      const std::string message = error_of([&] { train::load_checkpoint(good.path); });
      CHECK(message == good.path + ": header." + field + ": missing");
    }
  }
  SECTION("a callback state without its best value") {
    json header = file.header;
    header["early_stopping"].erase("best");
    header.erase("arrays");
    io::save_model_file(good.path, header, {file.arrays.begin(), file.arrays.end()});
    CHECK(contains(error_of([&] { train::load_checkpoint(good.path); }), "early_stopping.best: missing"));
  }
}

TEST_CASE("corrupt checkpoint: NaN or infinite numbers under a valid CRC are refused", "[io]") {
  SmallCheckpoint good;
  const io::ModelFile file = io::load_model_file(good.path);
  const float bad[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()};
  for (std::size_t a = 0; a < file.arrays.size(); ++a) {
    for (const float value : bad) {
      DYNAMIC_SECTION(file.arrays[a].name << " holding " << value) {
        std::vector<io::NamedArray> arrays = file.arrays;
        arrays[a].values[1] = value;
        json header = file.header;
        header.erase("arrays");
        io::save_model_file(good.path, header, {arrays.begin(), arrays.end()});
        const std::string message = error_of([&] { train::load_checkpoint(good.path); });
        CHECK(message.rfind(good.path + ": ", 0) == 0);
        CHECK(contains(message, "array \"" + file.arrays[a].name + "\" holds"));
        CHECK(contains(message, "at index 1; stored weights must be finite"));
      }
    }
  }
}

// Found by fuzz_model: loading an empty array (the optimizer state of plain SGD) passed a null
// pointer to memcpy, which UBSan reports; the sanitizer build of this test catches it.
TEST_CASE("a model file with an empty array loads", "[io]") {
  TempDir dir;
  const std::vector<float> params{1.0f, 2.0f};
  const std::vector<float> optimizer;
  mnisttrain::io::save_model_file(dir.file("m.bin"), {{"kind", "checkpoint"}},
                                  {{"params", params}, {"optimizer", optimizer}});
  const mnisttrain::io::ModelFile file = mnisttrain::io::load_model_file(dir.file("m.bin"));
  REQUIRE(file.arrays.size() == 2);
  CHECK(file.arrays[0].values == std::vector<float>{1.0f, 2.0f});
  CHECK(file.arrays[1].values.empty());
}

TEST_CASE("reserve_in_huge_pages reserves the room and keeps what the buffer holds", "[io]") {
  std::vector<std::uint8_t> buffer{1, 2, 3};
  const std::size_t bytes = std::size_t{5} << 20;  // spans at least one whole 2 MB page
  mnisttrain::io::reserve_in_huge_pages(buffer, bytes);
  CHECK(buffer.capacity() >= bytes);
  CHECK(buffer == std::vector<std::uint8_t>{1, 2, 3});
  buffer.resize(bytes, 7);  // the advised memory is written and read like any other
  CHECK(buffer[3] == 7);
  CHECK(buffer[bytes - 1] == 7);
  CHECK(buffer[2] == 3);
}
