// Hostile and careless input, end to end: every case runs the real binary on inputs the test
// makes itself and must end with a one-line error (or the correct result), an exit code below
// 128, within 5 seconds and under 400 MB. Signals go to real training runs.
#include "fixtures.h"
#include "io/model_file.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using Catch::Matchers::Contains;

namespace {

namespace fs = std::filesystem;

struct Run {
  int status = -1;         // exit code, or -1 when killed by a signal
  int signal = 0;          // the signal that killed it
  bool timed_out = false;
  long max_rss_kb = 0;
  std::string out;
  std::string err;
};

// A running binary, started without a shell; stdout to `out_path` unless it is empty (then a
// scratch file), stdin from /dev/null.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::string& out_path = "")
      : out_(out_path.empty() ? scratch_.file("out") : out_path) {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::chdir(MNISTTRAIN_SOURCE_DIR);
      ::dup2(::open("/dev/null", O_RDONLY), 0);
      ::dup2(::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 1);
      ::dup2(::open(scratch_.file("err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 2);
      std::vector<char*> argv{const_cast<char*>(MNISTTRAIN_BINARY)};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(MNISTTRAIN_BINARY, argv.data());
      ::_exit(127);
    }
  }
  void signal(int number) const { ::kill(pid_, number); }
  std::string err() const { return fixtures::read_bytes(scratch_.file("err")); }

  Run wait(double seconds = 5.0) {
    Run r;
    int raw = 0;
    rusage usage{};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (::wait4(pid_, &raw, WNOHANG, &usage) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        r.timed_out = true;
        ::kill(pid_, SIGKILL);
        ::wait4(pid_, &raw, 0, &usage);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.signal = WIFSIGNALED(raw) ? WTERMSIG(raw) : 0;
    r.max_rss_kb = usage.ru_maxrss;
    if (fs::is_regular_file(out_)) r.out = fixtures::read_bytes(out_);
    r.err = fixtures::read_bytes(scratch_.file("err"));
    return r;
  }

 private:
  fixtures::TempDir scratch_;
  std::string out_;
  pid_t pid_ = -1;
};

Run run(const std::vector<std::string>& args, const std::string& out_path = "") {
  return Child(args, out_path).wait();
}

// The contract for bad input: exit 1, one line on stderr naming what, in time, in memory.
void check_one_line_error(const Run& r, const std::string& fragment) {
  INFO(r.err);
  CHECK_FALSE(r.timed_out);
  CHECK(r.signal == 0);
  CHECK(r.status == 1);
  CHECK(r.max_rss_kb < 400 * 1024);
  // Log lines may come first (train logs its config); the error is the last line, and one line.
  const std::size_t start = r.err.rfind("error: ");
  REQUIRE(start != std::string::npos);
  CHECK((start == 0 || r.err[start - 1] == '\n'));
  CHECK(r.err.find('\n', start) == r.err.size() - 1);
  CHECK_THAT(r.err.substr(start), Contains(fragment));
}

std::string u32be(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

std::string idx(std::uint8_t type, const std::vector<std::uint32_t>& dims, const std::string& data) {
  std::string out{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (auto d : dims) out += u32be(d);
  return out + data;
}

std::string gzip_of(const std::string& bytes) {
  fixtures::TempDir dir;
  fixtures::write_gzip(dir.file("g"), bytes);
  return fixtures::read_bytes(dir.file("g"));
}

// A small labelled data set and a config training a softmax layer on it in a fraction of a
// second: 200 real MNIST images when present.
struct TinyRun {
  fixtures::TempDir dir;
  std::string config;
  TinyRun(int epochs = 1, std::size_t count = 200, const std::string& test_images = "") {
    const std::string images = fixtures::read_bytes(std::string(MNISTTRAIN_SOURCE_DIR) + "/data/mnist/train-images-idx3-ubyte");
    const std::string labels = fixtures::read_bytes(std::string(MNISTTRAIN_SOURCE_DIR) + "/data/mnist/train-labels-idx1-ubyte");
    REQUIRE(images.size() > 16 + 784 * count);
    fixtures::write_bytes(dir.file("images"), idx(8, {std::uint32_t(count), 28, 28}, images.substr(16, 784 * count)));
    fixtures::write_bytes(dir.file("labels"), idx(8, {std::uint32_t(count)}, labels.substr(8, count)));
    config = write_config(epochs, test_images.empty() ? dir.file("images") : test_images);
  }
  std::string write_config(int epochs, const std::string& test_images) const {
    const nlohmann::json j = {
        {"data", {{"train_images", dir.file("images")}, {"train_labels", dir.file("labels")},
                  {"test_images", test_images}, {"test_labels", dir.file("labels")}}},
        {"model", {{"layers", {{{"type", "dense"}, {"units", 10}, {"activation", "softmax"}}}}}},
        {"training", {{"epochs", epochs}, {"batch_size", 10}, {"optimizer", {{"type", "sgd"}}}}},
        {"output", dir.file("run")}};
    fixtures::write_bytes(dir.file("config.json"), j.dump());
    return dir.file("config.json");
  }
};

std::string model_layers_config(const nlohmann::json& layers, const nlohmann::json& extra = nlohmann::json::object()) {
  nlohmann::json j = {{"model", {{"layers", layers}}}, {"output", "runs/never"}};
  j.update(extra);
  return j.dump();
}

}  // namespace

TEST_CASE("size products that pass 2^64 are errors, never a wrapped count", "[hardening][e2e]") {
  fixtures::TempDir dir;
  nlohmann::json layers = nlohmann::json::array();
  for (int i = 0; i < 5; ++i) layers.push_back({{"type", "dense"}, {"units", 2147483647}});
  layers.push_back({{"type", "dense"}, {"units", 10}, {"activation", "softmax"}});
  fixtures::write_bytes(dir.file("huge.json"), model_layers_config(layers));
  for (const char* command : {"summary", "gradcheck", "bench", "train"}) {
    check_one_line_error(run({command, "--config", dir.file("huge.json")}), "overflows 64 bits");
  }
}

TEST_CASE("JSON: depth, duplicate keys, size cap, unbounded values", "[hardening][e2e]") {
  fixtures::TempDir dir;
  fixtures::write_bytes(dir.file("deep.json"), std::string(100000, '[') + std::string(100000, ']'));
  check_one_line_error(run({"summary", "--config", dir.file("deep.json")}), "nested more than 64 levels");
  fixtures::write_bytes(dir.file("dup.json"),
                        R"({"model": {"layers": [{"type": "dense", "units": 10, "units": 11}]}, "output": "x"})");
  check_one_line_error(run({"summary", "--config", dir.file("dup.json")}),
                       "duplicate key \"units\" in model.layers[0]");
  fixtures::write_bytes(dir.file("big.json"), "{\"output\": \"" + std::string(2 << 20, 'a') + "\"}");
  check_one_line_error(run({"train", "--config", dir.file("big.json")}), "more than the 1048576 accepted");
  // Below the cap, a long value is cut in the message.
  fixtures::write_bytes(dir.file("long.json"), model_layers_config(std::string(500000, 'x')));
  const Run r = run({"summary", "--config", dir.file("long.json")});
  check_one_line_error(r, "expected a non-empty array of layers, got \"xxx");
  CHECK(r.err.size() < 400);
}

TEST_CASE("zero where a minimum is required never reaches gradcheck or bench", "[hardening][e2e]") {
  fixtures::TempDir dir;
  const nlohmann::json out = {{"type", "dense"}, {"units", 10}, {"activation", "softmax"}};
  fixtures::write_bytes(dir.file("classes.json"), model_layers_config(nlohmann::json::array({out}), {{"data", {{"num_classes", 0}}}}));
  fixtures::write_bytes(dir.file("batch.json"), model_layers_config(nlohmann::json::array({out}), {{"training", {{"batch_size", 0}}}}));
  for (const char* command : {"gradcheck", "bench", "summary", "train"}) {
    check_one_line_error(run({command, "--config", dir.file("classes.json")}), "data.num_classes: expected a positive integer");
    check_one_line_error(run({command, "--config", dir.file("batch.json")}), "training.batch_size: expected a positive integer");
  }
}

TEST_CASE("outputs: non-regular paths refused, symlinks written through, stdout errors", "[hardening][e2e]") {
  fixtures::TempDir dir;
  const std::string images = "data/mnist/t10k-images-idx3-ubyte";
  REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0644) == 0);
  check_one_line_error(run({"show", "--images", images, "--pgm", dir.file("fifo")}), "exists and is a FIFO; refusing to replace it");
  CHECK(fs::is_fifo(dir.file("fifo")));
  fs::create_directory(dir.file("folder"));
  check_one_line_error(run({"show", "--images", images, "--pgm", dir.file("folder")}), "exists and is a directory");
  CHECK(fs::is_directory(dir.file("folder")));

  fixtures::write_bytes(dir.file("target.pgm"), "old");
  fs::create_symlink("target.pgm", dir.file("link.pgm"));
  const Run shown = run({"show", "--images", images, "--pgm", dir.file("link.pgm")});
  CHECK(shown.status == 0);
  CHECK(fs::is_symlink(dir.file("link.pgm")));
  CHECK(fixtures::read_bytes(dir.file("target.pgm")).rfind("P5\n28 28\n255\n", 0) == 0);

  const Run full = run({"info", "data/mnist/t10k-labels-idx1-ubyte"}, "/dev/full");
  check_one_line_error(full, "cannot write to standard output");
}

TEST_CASE("inputs that never end or never come: FIFOs, devices, pipes", "[hardening][e2e]") {
  fixtures::TempDir dir;
  REQUIRE(::mkfifo(dir.file("fifo").c_str(), 0644) == 0);
  check_one_line_error(run({"info", dir.file("fifo")}), "is a FIFO");
  check_one_line_error(run({"eval", dir.file("fifo")}), "is a FIFO");
  check_one_line_error(run({"summary", "--config", dir.file("fifo")}), "is a FIFO");
  check_one_line_error(run({"eval", "/dev/zero"}), "/dev/zero: is a character device");
  check_one_line_error(run({"train", "--resume", "/dev/zero"}), "/dev/zero: is a character device");
  check_one_line_error(run({"summary", "--config", "/dev/urandom"}), "/dev/urandom: is a character device");
  // A pipe (as from `info <(zcat f.gz)`) is refused clearly instead of losing its first bytes.
  const std::string command = "cat " + std::string(MNISTTRAIN_SOURCE_DIR) +
                              "/data/mnist/t10k-labels-idx1-ubyte | '" + MNISTTRAIN_BINARY +
                              "' info /dev/stdin 2>&1";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  char line[512] = {};
  REQUIRE(std::fgets(line, sizeof line, pipe));
  CHECK(::pclose(pipe) != 0);
  CHECK_THAT(std::string(line), Contains("is a FIFO"));
}

TEST_CASE("gzip: bombs decided from the header, trailing bytes, multi-member", "[hardening][e2e]") {
  fixtures::TempDir dir;
  // One 65535 x 65535 image claimed, 16 MB of zeros present (16 kB compressed).
  fixtures::write_bytes(dir.file("bomb.gz"), gzip_of(idx(8, {1, 65535, 65535}, std::string(16 << 20, '\0'))));
  const Run info = run({"info", dir.file("bomb.gz")});
  check_one_line_error(info, "truncated");
  CHECK(info.max_rss_kb < 100 * 1024);  // streamed: memory does not follow the data
  fixtures::write_bytes(dir.file("labels"), idx(8, {1}, std::string(1, '\1')));
  check_one_line_error(run({"show", "--images", dir.file("bomb.gz")}), "more than the 16777216 (4096 x 4096)");

  // A valid stream followed by 50 MB of zeros: refused at the first extra byte.
  const std::string labels = idx(8, {4}, std::string("\1\2\3\4", 4));
  fixtures::write_bytes(dir.file("trailing.gz"), gzip_of(labels) + std::string(50 << 20, '\0'));
  check_one_line_error(run({"info", dir.file("trailing.gz")}), "bytes after the end of the gzip stream");

  // Two members, as `cat a.gz b.gz` makes: read as one stream, as gunzip does.
  fixtures::write_bytes(dir.file("two.gz"), gzip_of(labels.substr(0, 7)) + gzip_of(labels.substr(7)));
  const Run two = run({"info", dir.file("two.gz")});
  CHECK(two.status == 0);
  CHECK_THAT(two.out, Contains("shape    (4,)") && Contains("4 classes"));
}

TEST_CASE("SIGTERM and SIGHUP checkpoint like Ctrl-C, and SIGPIPE does not kill a run", "[hardening][e2e]") {
  for (const int number : {SIGTERM, SIGHUP}) {
    TinyRun tiny(100000, 2000);
    Child child({"train", "--config", tiny.config});
    for (int i = 0; i < 250 && child.err().find("Epoch ") == std::string::npos; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    child.signal(number);
    const Run r = child.wait(10.0);
    INFO(r.err);
    CHECK(r.status == 130);
    CHECK_THAT(r.err, Contains("checkpoint written to"));
    CHECK(fs::exists(tiny.dir.file("run/checkpoint.bin")));
  }
  TinyRun tiny(2);
  fixtures::write_bytes(tiny.dir.file("pipe.sh"), "'" + std::string(MNISTTRAIN_BINARY) + "' train --quiet --config '" +
                                                       tiny.config + "' 2>/dev/null | true; echo ${PIPESTATUS[0]}\n");
  std::FILE* pipe = ::popen(("bash '" + tiny.dir.file("pipe.sh") + "'").c_str(), "r");
  char line[64] = {};
  REQUIRE(std::fgets(line, sizeof line, pipe));
  ::pclose(pipe);
  CHECK(std::string(line) == "1\n");  // the run finished; only its stdout was lost
  CHECK(fs::exists(tiny.dir.file("run/model.bin")));
}

TEST_CASE("quiet wrong answers in data are refused", "[hardening][e2e]") {
  TinyRun tiny;
  fixtures::write_bytes(tiny.dir.file("zero"), idx(8, {3, 0, 28}, ""));
  check_one_line_error(run({"train", "--config", tiny.write_config(1, tiny.dir.file("zero"))}), "image dimension 1 is 0");
  fixtures::write_bytes(tiny.dir.file("empty"), idx(8, {0, 28, 28}, ""));
  check_one_line_error(run({"train", "--config", tiny.write_config(1, tiny.dir.file("empty"))}), "holds no images");
  const std::string images = fixtures::read_bytes(tiny.dir.file("images"));
  fixtures::write_bytes(tiny.dir.file("wide"), idx(8, {200, 14, 56}, images.substr(16)));
  check_one_line_error(run({"train", "--config", tiny.write_config(1, tiny.dir.file("wide"))}),
                       "images are 14x56 (784 pixels), the training set");
  // NaN in float data shows in info.
  float values[3] = {1.0f, std::nanf(""), -2.0f};
  std::string data;
  for (float v : values) {
    std::uint32_t bits;
    std::memcpy(&bits, &v, 4);
    data += u32be(bits);
  }
  fixtures::write_bytes(tiny.dir.file("floats"), idx(0x0D, {3}, data));
  const Run info = run({"info", tiny.dir.file("floats")});
  CHECK(info.status == 0);
  CHECK_THAT(info.out, Contains("min/max  -2 / 1") && Contains("NaN      1 of 3 values"));
}

TEST_CASE("model and checkpoint headers are checked field by field", "[hardening][e2e]") {
  TinyRun tiny;
  REQUIRE(run({"train", "--quiet", "--config", tiny.config}).status == 0);
  const mnisttrain::io::ModelFile model = mnisttrain::io::load_model_file(tiny.dir.file("run/model.bin"));
  const mnisttrain::io::ModelFile checkpoint = mnisttrain::io::load_model_file(tiny.dir.file("run/checkpoint.bin"));
  const auto resave = [&](const mnisttrain::io::ModelFile& file, const std::string& key, const nlohmann::json& value) {
    nlohmann::json header = file.header;
    header[key] = value;
    mnisttrain::io::save_model_file(tiny.dir.file("bad.bin"), header, {file.arrays.begin(), file.arrays.end()});
    return tiny.dir.file("bad.bin");
  };
  check_one_line_error(run({"eval", resave(model, "param_count", 7)}), "header.param_count is 7, the architecture has 7850");
  check_one_line_error(run({"eval", resave(model, "kind", "checkpoint")}), "header.kind: is \"checkpoint\", expected \"model\"");
  check_one_line_error(run({"eval", resave(model, "input_shape", {-28, 28})}), "header.input_shape[0]: expected an integer in [1,");
  check_one_line_error(run({"summary", resave(model, "architecture", 5)}), "header.architecture: is 5, expected");
  mnisttrain::io::ModelFile nan_model = model;
  nan_model.arrays[0].values[3] = std::nanf("");
  mnisttrain::io::save_model_file(tiny.dir.file("nan.bin"), nan_model.header, {nan_model.arrays.begin(), nan_model.arrays.end()});
  check_one_line_error(run({"eval", tiny.dir.file("nan.bin")}), "array \"params\" holds nan at index 3");

  check_one_line_error(run({"train", "--resume", resave(checkpoint, "epoch", -1)}), "header.epoch: expected an integer in [0,");
  check_one_line_error(run({"train", "--resume", resave(checkpoint, "history", 3)}), "header.history: expected an array");
  check_one_line_error(run({"train", "--resume", resave(checkpoint, "early_stopping", {{"has_best", 1}})}),
                       "header.early_stopping.has_best: expected true or false");
  mnisttrain::io::ModelFile best = checkpoint;
  best.arrays.push_back({"best_params", std::vector<float>(5, 0.0f)});
  mnisttrain::io::save_model_file(tiny.dir.file("best.bin"), best.header, {best.arrays.begin(), best.arrays.end()});
  check_one_line_error(run({"train", "--resume", tiny.dir.file("best.bin")}), "\"best_params\" holds 5 floats");
  check_one_line_error(run({"train", "--resume", tiny.dir.file("run/model.bin")}), "header.kind: is \"model\", expected \"checkpoint\"");
}

TEST_CASE("flag values: usage errors naming the flag", "[hardening][e2e]") {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"train", "--seed", "-1"}, {"gradcheck", "--seed", "-1"},
        {"train", "--learning-rate", "nan"}, {"train", "--learning-rate", "1e-50"}}) {
    const Run r = run(args);
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains(args[1]));
  }
  fixtures::TempDir dir;
  fixtures::write_bytes(dir.file("lr.json"), model_layers_config(nlohmann::json::array({{{"type", "dense"}, {"units", 10}, {"activation", "softmax"}}}),
                                                                 {{"training", {{"optimizer", {{"type", "sgd"}, {"learning_rate", 1e-50}}}}}}));
  check_one_line_error(run({"summary", "--config", dir.file("lr.json")}), "learning_rate: 1e-50 rounds to 0 as a float32");
}

TEST_CASE("names and paths with control bytes stay on one escaped line", "[hardening][e2e]") {
  check_one_line_error(run({"summary", "--config", "no\nsuch\x01" "file.json"}), "no\\nsuch\\x01file.json: cannot open");
  fixtures::TempDir dir;
  fixtures::write_bytes(dir.file("name.json"),
                        model_layers_config(nlohmann::json::array({{{"type", "dense"}, {"units", 10}, {"name", std::string(300, 'n')}}})));
  check_one_line_error(run({"summary", "--config", dir.file("name.json")}), "a name of at most 256 bytes");
}
