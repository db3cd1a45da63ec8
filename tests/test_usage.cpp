// What a newcomer meets first, driven through the binary: help without a command, usage
// errors with "did you mean" and exit code 2, ranges in words, NO_COLOR and --color, --data,
// the message for missing data, and eval from another folder or of a checkpoint.
#include "cli_run.h"
#include "data/idx.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <png.h>

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using fixtures::quote;
using fixtures::Run;
using fixtures::run_cli;

namespace {

namespace fs = std::filesystem;
using namespace mnisttrain;

// The four standard MNIST names in `dir`, two of them gzipped: n samples of 28x28 whose label
// is readable from the image (a bright row at the label's position), so a short run learns.
// In the test set every 7th label is wrong (one more than the image shows): those samples are
// the mistakes a perfect network makes.
void write_tiny_mnist(const fixtures::TempDir& dir, std::uint32_t n) {
  std::vector<std::uint8_t> images(n * 784, 0), labels(n), test_labels(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    labels[i] = static_cast<std::uint8_t>(i % 10);
    test_labels[i] = static_cast<std::uint8_t>(i % 7 == 0 ? (i + 1) % 10 : i % 10);
    for (int c = 0; c < 28; ++c) images[i * 784 + (2 + 2 * labels[i]) * 28 + c] = 255;
  }
  const auto write = [&](const std::string& name, const data::IdxArray& array, bool gzip) {
    data::write_idx(dir.file(name), array);
    if (!gzip) return;
    fixtures::write_gzip(dir.file(name + ".gz"), fixtures::read_bytes(dir.file(name)));
    fs::remove(dir.file(name));
  };
  write("train-images-idx3-ubyte", data::make_uint8_array({n, 28, 28}, images), true);
  write("train-labels-idx1-ubyte", data::make_uint8_array({n}, labels), false);
  write("t10k-images-idx3-ubyte", data::make_uint8_array({n, 28, 28}, images), false);
  write("t10k-labels-idx1-ubyte", data::make_uint8_array({n}, test_labels), true);
}

}  // namespace

TEST_CASE("no command and help print the help with exit 0", "[cli][usage][e2e]") {
  for (const char* args : {"", "help"}) {
    const Run r = run_cli(args);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Contains("train") && Contains("eval") && Contains("predict"));
  }
  const Run topic = run_cli("help train");
  CHECK(topic.status == 0);
  CHECK_THAT(topic.out, Contains("--epochs") && Contains("--data"));
}

TEST_CASE("unknown commands and flags are usage errors with a suggestion", "[cli][usage][e2e]") {
  const Run command = run_cli("trian");
  CHECK(command.status == 2);
  CHECK_THAT(command.err, StartsWith("error: unknown command 'trian'; did you mean 'train'?"));
  CHECK(run_cli("help evl").status == 2);
  const Run flag = run_cli("train --epoch 3");
  CHECK(flag.status == 2);
  CHECK_THAT(flag.err, StartsWith("error: unknown flag '--epoch' for train; did you mean '--epochs'?"));
  const Run global = run_cli("eval m.bin --log-levl debug");
  CHECK(global.status == 2);
  CHECK_THAT(global.err, Contains("did you mean '--log-level'?"));
  const Run extra = run_cli("eval a.bin b.bin");
  CHECK(extra.status == 2);
  CHECK_THAT(extra.err, Contains("unexpected argument 'b.bin'"));
  CHECK(fixtures::lines(extra.err) == 1);
}

TEST_CASE("flag ranges are stated in words, exit 2", "[cli][usage][e2e]") {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"train --epochs 0", "error: --epochs must be an integer >= 1, got '0'\n"},
      {"train --epochs 2.5", "error: --epochs must be an integer >= 1, got '2.5'\n"},
      {"train --batch-size -3", "error: --batch-size must be an integer >= 1, got '-3'\n"},
      {"train --learning-rate nan", "error: --learning-rate must be a finite number > 0, got 'nan'\n"},
      {"train --threads -1", "error: --threads must be an integer >= 0, got '-1'\n"},
      {"gradcheck --samples 300", "error: --samples must be an integer in 1..256, got '300'\n"},
      {"show --images x --count 0", "error: --count must be an integer >= 1, got '0'\n"},
      {"--log-level debugg info x",
       "error: --log-level must be one of trace, debug, info, warn, error, off, got 'debugg'; did you mean "
       "'debug'?\n"},
      {"--color sometimes info x", "error: --color must be one of auto, always, never, got 'sometimes'\n"},
  };
  for (const auto& [args, message] : cases) {
    INFO(args);
    const Run r = run_cli(args);
    CHECK(r.status == 2);
    CHECK(r.err == message);
  }
  CHECK(run_cli("train").status != 2);  // missing data is an input error, below
}

TEST_CASE("exit codes: 1 for bad input, 2 for usage, 0 for help and version", "[cli][usage][e2e]") {
  CHECK(run_cli("eval no-such-model.bin").status == 1);
  CHECK(run_cli("info no-such-file").status == 1);
  CHECK(run_cli("predict m.bin").status == 2);  // --images is required
  CHECK(run_cli("eval m.bin --images x").status == 2);
  CHECK(run_cli("eval m.bin --labels y").status == 2);
  CHECK_THAT(run_cli("eval m.bin --images x").err, Contains("--images requires --labels"));
  CHECK(run_cli("eval m.bin --data d --images x --labels y").status == 2);
  CHECK(run_cli("train --help").status == 0);
  const Run version = run_cli("--version");
  CHECK(version.status == 0);
  CHECK_THAT(version.out, StartsWith("mnisttrain ") && Contains("(git ") && Contains("BLAS: OpenBLAS"));
}

TEST_CASE("NO_COLOR and --color decide the colour of log tags", "[cli][usage][e2e]") {
  // `script` gives the binary a terminal, where `auto` would colour.
  const auto on_terminal = [](const std::string& env, const std::string& flags) {
    fixtures::TempDir capture;
    const std::string inner = env + " " + quote(MNISTTRAIN_BINARY) + " --log-level debug " + flags + " info no-file";
    const std::string command = "cd " + quote(capture.path().string()) + " && script -qec \"" + inner +
                                "\" /dev/null >out 2>&1 </dev/null";
    CHECK(std::system(command.c_str()) != -1);
    return fixtures::read_bytes(capture.file("out"));
  };
  const std::string escape = "\x1b[";
  const std::string plain = on_terminal("NO_COLOR=1", "");
  CHECK_THAT(plain, Contains("debug: mnisttrain"));
  CHECK(plain.find(escape) == std::string::npos);
  CHECK(on_terminal("", "").find(escape) != std::string::npos);
  CHECK(on_terminal("", "--color never").find(escape) == std::string::npos);
  CHECK(on_terminal("NO_COLOR=1", "--color always").find(escape) != std::string::npos);
  CHECK(run_cli("--log-level debug --color always info x").err.find(escape) != std::string::npos);
  CHECK(run_cli("--log-level debug info x").err.find(escape) == std::string::npos);  // not a terminal
}

TEST_CASE("missing data says where it looked, how the path was resolved and the fix", "[cli][usage][e2e]") {
  fixtures::TempDir elsewhere;
  const Run r = run_cli("train --epochs 1", elsewhere.path().string());
  CHECK(r.status == 1);
  CHECK_THAT(r.err, StartsWith("error: data/mnist/train-images-idx3-ubyte: cannot open") &&
                        Contains("looked at " + (elsewhere.path() / "data/mnist/train-images-idx3-ubyte").string()) &&
                        Contains("relative to the working directory") && Contains("scripts/fetch_mnist.sh") &&
                        Contains("--data DIR") && Contains("--config"));
  CHECK(fixtures::lines(r.err) == 1);
  const Run empty = run_cli("train --data " + quote(elsewhere.path().string()));
  CHECK(empty.status == 1);
  CHECK_THAT(empty.err, Contains("missing train-images-idx3-ubyte[.gz]") && Contains("t10k-labels-idx1-ubyte[.gz]"));
}

TEST_CASE("train --data reads a folder of standard names, eval works from another folder", "[cli][usage][e2e]") {
  fixtures::TempDir data_dir, work, elsewhere;
  write_tiny_mnist(data_dir, 300);
  const std::string run = work.file("run");
  const Run trained = run_cli("train --quiet --epochs 2 --seed 1 --data " + quote(data_dir.path().string()) +
                                  " --out run",
                              work.path().string());
  REQUIRE(trained.status == 0);
  CHECK_THAT(trained.out, Contains("test accuracy: 0.8567"));  // 257 of 300: all but the 43 wrong labels

  // Recorded test paths are absolute, so the model evaluates from anywhere.
  const nlohmann::json eval = nlohmann::json::parse(run_cli("eval " + quote(run + "/model.bin") + " --json",
                                                            elsewhere.path().string()).out);
  CHECK(eval["samples"] == 300);
  CHECK(eval["images"] == data_dir.file("t10k-images-idx3-ubyte"));
  const Run with_dir = run_cli("eval " + quote(run + "/model.bin") + " --json --data " +
                                   quote(data_dir.path().string()), elsewhere.path().string());
  CHECK(with_dir.status == 0);

  const Run checkpoint = run_cli("eval " + quote(run + "/checkpoint.bin"));
  CHECK(checkpoint.status == 1);
  CHECK_THAT(checkpoint.err, Contains("is a checkpoint") && Contains("model.bin"));

  fs::remove(data_dir.file("t10k-images-idx3-ubyte"));
  const Run moved = run_cli("eval " + quote(run + "/model.bin"));
  CHECK(moved.status == 1);
  CHECK_THAT(moved.err, Contains("is not there") && Contains("--images FILE --labels FILE"));
}

TEST_CASE("eval --json stays one document, --predictions CSV, --show-errors most confident first", "[cli][usage][e2e]") {
  fixtures::TempDir data_dir, work;
  write_tiny_mnist(data_dir, 300);
  REQUIRE(run_cli("train --quiet --epochs 2 --seed 1 --data " + quote(data_dir.path().string()) + " --out run",
                  work.path().string()).status == 0);
  const std::string model = quote(work.file("run/model.bin"));

  const Run json = run_cli("eval " + model + " --json --show-errors 3 --predictions " + quote(work.file("p.csv")));
  REQUIRE(json.status == 0);
  const nlohmann::json report = nlohmann::json::parse(json.out);  // throws unless exactly one document
  const nlohmann::json& mistakes = report["most_confident_mistakes"];
  REQUIRE(mistakes.size() == 3);
  for (std::size_t k = 0; k < 3; ++k) {
    const std::size_t index = mistakes[k]["index"];
    CHECK(index % 7 == 0);
    CHECK(mistakes[k]["predicted"] == index % 10);
    CHECK(mistakes[k]["true"] == (index + 1) % 10);
    if (k > 0) CHECK(mistakes[k]["confidence"].get<double>() <= mistakes[k - 1]["confidence"].get<double>());
  }
  CHECK_THAT(json.err, Contains("image " + std::to_string(mistakes[0]["index"].get<std::size_t>()) + ": true"));

  const std::string csv = fixtures::read_bytes(work.file("p.csv"));
  CHECK_THAT(csv, StartsWith("index,true,predicted,p0,p1,p2,p3,p4,p5,p6,p7,p8,p9\n0,1,0,"));
  CHECK(fixtures::lines(csv) == 301);
  CHECK_THAT(csv, Contains("\n7,8,7,"));  // index 7: true 8 (a wrong label), predicted 7

  const Run text = run_cli("eval " + model + " --show-errors 2");
  CHECK_THAT(text.out, Contains("most confident mistakes first") && Contains("with p = "));
}

TEST_CASE("predict reads your own digit from PNG and PGM, show --pgm round-trips", "[cli][mnist][e2e]") {
  fixtures::TempDir work;
  REQUIRE(run_cli("train --quiet --epochs 1 --out " + quote(work.file("run"))).status == 0);
  const std::string model = quote(work.file("run/model.bin"));
  const std::string test_images = "data/mnist/t10k-images-idx3-ubyte";
  const auto probabilities = [](const Run& r) {
    REQUIRE(r.status == 0);
    return nlohmann::json::parse(r.out)[0]["probabilities"].get<std::vector<float>>();
  };
  const std::vector<float> from_idx = probabilities(run_cli("predict " + model + " --images " + test_images + " --json"));

  REQUIRE(run_cli("show --images " + test_images + " --pgm " + quote(work.file("seven.pgm"))).status == 0);
  CHECK(probabilities(run_cli("predict " + model + " --images " + quote(work.file("seven.pgm")) + " --json")) == from_idx);

  // Test image 0 (a 7) drawn as a photo would show it: dark blue ink on cream paper, four
  // times larger, off-centre in a 150x200 colour picture.
  const data::IdxArray idx = data::read_idx(std::string(MNISTTRAIN_SOURCE_DIR) + "/" + test_images);
  std::vector<std::uint8_t> rgb(150 * 200 * 3);
  for (std::size_t i = 0; i < 150 * 200; ++i) rgb[i * 3] = 240, rgb[i * 3 + 1] = 235, rgb[i * 3 + 2] = 210;
  for (int r = 0; r < 112; ++r) {
    for (int c = 0; c < 112; ++c) {
      const float ink = idx.bytes[static_cast<std::size_t>(r / 4 * 28 + c / 4)] / 255.0f;
      std::uint8_t* px = &rgb[((r + 10) * 200 + c + 70) * 3];
      px[0] = static_cast<std::uint8_t>(px[0] * (1 - ink) + 20 * ink);
      px[1] = static_cast<std::uint8_t>(px[1] * (1 - ink) + 30 * ink);
      px[2] = static_cast<std::uint8_t>(px[2] * (1 - ink) + 120 * ink);
    }
  }
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = 200;
  png.height = 150;
  png.format = PNG_FORMAT_RGB;
  REQUIRE(png_image_write_to_file(&png, work.file("photo.png").c_str(), 0, rgb.data(), 0, nullptr));
  const Run photo = run_cli("predict " + model + " --images " + quote(work.file("photo.png")) + " --json --show");
  const std::vector<float> from_png = probabilities(photo);
  CHECK(std::max_element(from_png.begin(), from_png.end()) - from_png.begin() == 7);
  CHECK(from_png[7] > 0.5f);
  CHECK(fixtures::lines(photo.err) == 28);  // --show: the 28x28 the network saw, on stderr

  fixtures::write_bytes(work.file("blank.pgm"), "P5 4 4 255\n" + std::string(16, '\xff'));
  const Run blank = run_cli("predict " + model + " --images " + quote(work.file("blank.pgm")));
  CHECK(blank.status == 1);
  CHECK_THAT(blank.err, Contains("blank.pgm: the picture holds no digit"));
}
