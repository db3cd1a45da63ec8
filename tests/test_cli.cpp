// The mnisttrain executable end to end: help and version, `info` and `show` on real MNIST,
// `summary`, `gradcheck`, `--seed` wiring, a real training run with an accuracy threshold,
// `eval` checked against `predict` and the label file, non-terminal progress output, Ctrl-C in
// mid-epoch with a resume that matches an uninterrupted run, one-line errors with a non-zero
// exit for bad input, `descent`, `report` on run folders, and the config's data.transpose and
// data.class_names through train, eval and predict. Real MNIST comes from
// scripts/fetch_mnist.sh, which the test command runs. At the end, the same command line
// parsed in-process (flags, defaults, refusals).
#include "cli/app.h"
#include "config/config.h"
#include "kernels/blas.h"
#include "train/trainer.h"
#include "fixtures.h"
#include "io/model_file.h"
#include "cli_run.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sys/wait.h>
#include <thread>
#include <sstream>
#include <unistd.h>

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

using fixtures::lines;
using fixtures::quote;
using fixtures::Run;
using fixtures::run_cli;

const std::string kTrainImages = "data/mnist/train-images-idx3-ubyte";
const std::string kTrainLabels = "data/mnist/train-labels-idx1-ubyte";

// The labels of an IDX label file: the bytes after its 8-byte header.
std::vector<int> read_labels(const std::string& path) {
  const std::string bytes = fixtures::read_bytes(path);
  std::vector<int> labels;
  for (std::size_t i = 8; i < bytes.size(); ++i) labels.push_back(static_cast<unsigned char>(bytes[i]));
  return labels;
}

// CPU time (user + system) the process has used, in clock ticks, from /proc/<pid>/stat.
long cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // after "pid (comm) "
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {  // fields 14 and 15 of proc(5)
    if (i == 14) utime = std::stol(field);
    if (i == 15) stime = std::stol(field);
  }
  return utime + stime;
}

}  // namespace

TEST_CASE("version and help on every command, with defaults shown", "[cli][e2e]") {
  const Run version = run_cli("--version");
  CHECK(version.status == 0);
  CHECK_THAT(version.out, StartsWith("mnisttrain "));
  // The commit named is the checkout's, read when the binary was built (not when CMake last
  // configured): after a commit and a rebuild it is the new one.
  std::FILE* git = ::popen(("git -C " + quote(MNISTTRAIN_SOURCE_DIR) + " rev-parse --short=12 HEAD 2>/dev/null").c_str(), "r");
  char head[64] = {};
  const bool checkout = git && std::fgets(head, sizeof head, git) && std::strlen(head) == 13;
  if (git) ::pclose(git);
  if (checkout) CHECK_THAT(version.out, Contains("(git " + std::string(head, 12) + ")"));
  for (const char* command : {"train", "eval", "predict", "summary", "gradcheck", "info", "show", "bench", "report", "descent"}) {
    const Run help = run_cli(std::string(command) + " --help");
    CHECK(help.status == 0);
    CHECK_THAT(help.out, Contains("--help"));
  }
  CHECK_THAT(run_cli("show --help").out, Contains("--count UINT:>= 1=1"));
  CHECK_THAT(run_cli("gradcheck --help").out, Contains("--threshold FLOAT=0.001"));
}

TEST_CASE("info shows the real MNIST shapes and label counts", "[cli][e2e][mnist]") {
  const Run r = run_cli("info " + kTrainImages + " " + kTrainLabels);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("shape    (60000, 28, 28)") && Contains("dtype    uint8") &&
                        Contains("ndim     3") && Contains("47,040,016") && Contains("min/max  0 / 255"));
  CHECK_THAT(r.out, Contains("0:   5923") && Contains("1:   6742") && Contains("9:   5949"));
}

TEST_CASE("show draws a digit and writes PGM", "[cli][e2e][mnist]") {
  const Run r = run_cli("show --images " + kTrainImages + " --labels " + kTrainLabels + " --index 0 --ascii");
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("image 0, label 5, shape (28, 28)"));
  CHECK(lines(r.out) == 29);
  CHECK(r.out.find('@') != std::string::npos);
  fixtures::TempDir dir;
  const Run pgm = run_cli("show --images " + kTrainImages + " --index 1 --count 2 --pgm " + quote(dir.file("d.pgm")));
  REQUIRE(pgm.status == 0);
  const std::string bytes = fixtures::read_bytes(dir.file("d_2.pgm"));
  CHECK(bytes.size() == std::string("P5\n28 28\n255\n").size() + 784);
  CHECK(run_cli("show --images " + kTrainImages + " --index 60000").status != 0);
}

TEST_CASE("summary explains the reference network's 407,050 parameters", "[cli][e2e]") {
  for (const std::string args : {"summary", "summary --config configs/mnist_mlp.json"}) {
    const Run r = run_cli(args);
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("(None, 512)") && Contains("401,920") && Contains("5,130") &&
                          Contains("Total params: 407,050") && Contains("(784 + 1) x 512"));
  }
}

TEST_CASE("gradcheck passes on real samples", "[cli][e2e][mnist]") {
  const Run r = run_cli("gradcheck --config configs/mnist_mlp.json --per-tensor 8");
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Contains("PASS") && Contains("dense_1/bias"));
  const Run strict = run_cli("gradcheck --random-inputs --per-tensor 8 --threshold 0");
  CHECK(strict.status == 1);
  CHECK_THAT(strict.out, Contains("FAIL"));
}

TEST_CASE("bench runs its measurements (no timing is asserted)", "[cli][e2e]") {
  const Run r = run_cli("bench --seconds 0.02");
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Contains("naive loop") && Contains("OpenBLAS 1 thread") && Contains("samples/s"));
  // The reference config has no clipnorm: a sparse first layer's update is streamed, and said so.
  const Run j = run_cli("bench --seconds 0.02 --json");
  REQUIRE(j.status == 0);
  const nlohmann::json report = nlohmann::json::parse(j.out);
  CHECK(report["streamed_update"] == (report["first_layer"] == "sparse"));
  CHECK((r.out.find("updated inside its backward") != std::string::npos) == (report["first_layer"] == "sparse"));
  // The sparse path's batch compression is a phase of its own, not part of "loss".
  CHECK((r.out.find("batch compression") != std::string::npos) == (report["first_layer"] == "sparse"));
  for (const auto& step : report["steps"]) {
    CHECK((step["compress_seconds"].get<double>() > 0.0) == (report["first_layer"] == "sparse"));
    CHECK(step["peak_gflops"].get<double>() > 0.0);
    CHECK(step["peak_share"].get<double>() > 0.0);
  }
  // The machine's limits: the sparse path's work leaves out the zero pixels.
  CHECK(report["dense_products_seconds"].get<double>() > 0.0);
  const double dense = report["flops_per_step"], work = report["work_flops_per_step"];
  if (report["first_layer"] == "sparse") {
    CHECK(work < dense);
  } else {
    CHECK(work == dense);
  }
  CHECK_THAT(r.out, Contains("multiply-add peak") && Contains("the dense products alone") &&
                        Contains("share of the peak"));
}

TEST_CASE("bad input: one line naming the file and field, non-zero exit", "[cli][e2e]") {
  fixtures::TempDir dir;
  SECTION("a config with an unknown key") {
    fixtures::write_bytes(dir.file("x.json"), R"({"model": {"lyers": []}, "output": "o"})");
    const Run r = run_cli("train --config " + quote(dir.file("x.json")));
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Contains("x.json: model: \"lyers\" is not a known key; did you mean \"layers\"?"));
    CHECK(lines(r.err) == 1);
  }
  SECTION("an IDX file that is an HTML page") {
    fixtures::write_bytes(dir.file("page.html"), "<html>404</html>");
    const Run r = run_cli("info " + quote(dir.file("page.html")));
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Contains("page.html: not an IDX file"));
    CHECK(lines(r.err) == 1);
  }
  SECTION("a missing model file") {
    const Run r = run_cli("eval " + quote(dir.file("none.bin")));
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Contains("none.bin: cannot open"));
  }
}

TEST_CASE("train --seed overrides the config's seed: same seed same bytes in two processes, another seed other bytes", "[cli][e2e]") {
  fixtures::TempDir dir;
  fixtures::write_synthetic(dir, "train", 300, 1);
  fixtures::write_synthetic(dir, "test", 90, 2);
  auto write_config = [&](const std::string& name, int seed) {
    const nlohmann::json config = {
        {"data", {{"train_images", "train-images"}, {"train_labels", "train-labels"}, {"test_images", "test-images"},
                  {"test_labels", "test-labels"}, {"num_classes", 3}, {"validation_split", 0.2}}},
        {"model", {{"layers", {{{"type", "dense"}, {"units", 8}, {"activation", "relu"}},
                               {{"type", "dropout"}, {"rate", 0.1}},
                               {{"type", "dense"}, {"units", 3}, {"activation", "softmax"}}}}}},
        {"training", {{"optimizer", {{"type", "adam"}, {"learning_rate", 0.01}}}, {"epochs", 2},
                      {"batch_size", 32}, {"seed", seed}, {"threads", 1}}},
        {"output", "unused"}};
    fixtures::write_bytes(dir.file(name), config.dump());
    return quote(dir.file(name));
  };
  const std::string seed1 = write_config("seed1.json", 1);
  const std::string seed2 = write_config("seed2.json", 2);
  // Every run writes the same folder (its path is recorded in model.bin), moved aside after.
  auto train = [&](const std::string& args, const std::string& keep_as) {
    const Run r = run_cli("train --quiet --out " + quote(dir.file("run")) + " " + args);
    REQUIRE(r.status == 0);
    std::filesystem::rename(dir.file("run"), dir.file(keep_as));
    return fixtures::read_bytes(dir.file(keep_as + "/model.bin"));
  };
  const std::string config_seed_1 = train("--config " + seed1, "a");
  const std::string config_seed_1_again = train("--config " + seed1, "b");
  const std::string flag_seed_2 = train("--config " + seed1 + " --seed 2", "c");
  const std::string config_seed_2 = train("--config " + seed2, "d");
  CHECK(config_seed_1.size() > 100);
  CHECK(config_seed_1_again == config_seed_1);
  CHECK(flag_seed_2 != config_seed_1);
  CHECK(flag_seed_2 == config_seed_2);  // --seed 2 is exactly the config's seed 2
  CHECK(nlohmann::json::parse(fixtures::read_bytes(dir.file("c/summary.json")))["seed"] == 2);
}

TEST_CASE("train on real MNIST: accuracy, files, eval, predict, corrupt model", "[cli][e2e][mnist]") {
  fixtures::TempDir dir;
  // The reference run of the issue's acceptance: the Keras book network, 5 epochs of RMSprop.
  const Run r = run_cli("train --config configs/mnist_mlp.json --out " + quote(dir.file("run")));
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("test accuracy: "));
  // stderr is a file here: exactly one plain line per epoch, no carriage returns.
  CHECK(r.err.find('\r') == std::string::npos);
  CHECK_THAT(r.err, Contains("Epoch 1/5\n469/469 [==============================]"));
  // The config log line (and the warning on a CPU where OpenBLAS runs generic kernels), then
  // "Epoch k/5" and one result line each.
  CHECK(lines(r.err) == 1 + (mnisttrain::blas::generic_core() ? 1 : 0) + 2 * 5);
  const auto summary = nlohmann::json::parse(fixtures::read_bytes(dir.file("run/summary.json")));
  // The threshold leaves room for other CPUs and thread counts: they change the rounding and so
  // the weights, much as another seed does. Measured with this config: 0.9787 and 0.9791 (seed
  // 42 on 1 and 2 threads), 0.9803 (seed 1) and 0.9803 (seed 7): a spread of about 0.0008 (8
  // images) around 0.9796. 0.975 sits 37 images below the lowest of these, over five such
  // spreads below the mean, so no machine fails it by chance; smaller losses are the unit
  // tests' to catch.
  CHECK(summary["test_accuracy"].get<double>() >= 0.975);
  CHECK(summary["param_count"] == 407050);
  CHECK_THAT(r.out, Contains("report: " + dir.file("run") + "/report.html\n"));
  CHECK_THAT(fixtures::read_bytes(dir.file("run/report.html")), Contains("Most confident mistakes"));

  const std::string model = quote(dir.file("run/model.bin"));
  const Run eval = run_cli("eval " + model + " --json");
  REQUIRE(eval.status == 0);
  const auto report = nlohmann::json::parse(eval.out);
  CHECK(report["accuracy"].get<double>() == summary["test_accuracy"].get<double>());
  CHECK(report["samples"] == 10000);
  // Eval's numbers against predict's answers and the label file, counted here.
  const Run all = run_cli("predict " + model + " --images data/mnist/t10k-images-idx3-ubyte --count 10000 --json");
  REQUIRE(all.status == 0);
  const auto predictions = nlohmann::json::parse(all.out);
  const std::vector<int> labels = read_labels(std::string(MNISTTRAIN_SOURCE_DIR) + "/data/mnist/t10k-labels-idx1-ubyte");
  REQUIRE(predictions.size() == 10000);
  REQUIRE(labels.size() == 10000);
  std::vector<std::vector<std::size_t>> confusion(10, std::vector<std::size_t>(10, 0));
  std::size_t correct = 0;
  for (std::size_t i = 0; i < 10000; ++i) {
    const int predicted = predictions[i]["predicted"].get<int>();
    ++confusion[static_cast<std::size_t>(labels[i])][static_cast<std::size_t>(predicted)];
    correct += predicted == labels[i];
  }
  CHECK(report["correct"] == correct);
  CHECK(report["accuracy"].get<double>() == static_cast<double>(correct) / 10000.0);
  CHECK(report["confusion_matrix"] == nlohmann::json(confusion));  // rows true, columns predicted
  for (std::size_t c = 0; c < 10; ++c) {
    std::size_t predicted_c = 0;
    for (std::size_t t = 0; t < 10; ++t) predicted_c += confusion[t][c];
    const double recall = static_cast<double>(confusion[c][c]) /
                          static_cast<double>(std::count(labels.begin(), labels.end(), static_cast<int>(c)));
    INFO("class " << c);
    CHECK(report["classes"][c]["precision"].get<double>() == Approx(static_cast<double>(confusion[c][c]) / predicted_c));
    CHECK(report["classes"][c]["recall"].get<double>() == Approx(recall));
  }
  CHECK_THAT(run_cli("eval " + model).out, Contains("confusion matrix") && Contains("precision"));

  const Run predict = run_cli("predict " + model + " --images data/mnist/t10k-images-idx3-ubyte --index 0 --json");
  REQUIRE(predict.status == 0);
  CHECK(nlohmann::json::parse(predict.out)[0]["predicted"] == 7);  // the first test digit is a 7

  std::string bytes = fixtures::read_bytes(dir.file("run/model.bin"));
  bytes[bytes.size() / 2] ^= 0x10;
  fixtures::write_bytes(dir.file("flipped.bin"), bytes);
  const Run corrupt = run_cli("eval " + quote(dir.file("flipped.bin")));
  CHECK(corrupt.status == 1);
  CHECK_THAT(corrupt.err, Contains("flipped.bin: CRC32 mismatch"));
  CHECK(lines(corrupt.err) == 1);
}

TEST_CASE("Ctrl-C in mid-epoch checkpoints the batch cursor, and --resume ends where an uninterrupted run does", "[cli][e2e][mnist]") {
  fixtures::TempDir dir;
  // Real MNIST, a smaller hidden layer to keep the test short, one thread so that the runs
  // round alike.
  const std::string root = MNISTTRAIN_SOURCE_DIR;
  const nlohmann::json config = {
      {"data", {{"train_images", root + "/" + kTrainImages}, {"train_labels", root + "/" + kTrainLabels},
                {"test_images", root + "/data/mnist/t10k-images-idx3-ubyte"},
                {"test_labels", root + "/data/mnist/t10k-labels-idx1-ubyte"}, {"num_classes", 10}}},
      {"model", {{"layers", {{{"type", "dense"}, {"units", 128}, {"activation", "relu"}},
                             {{"type", "dense"}, {"units", 10}, {"activation", "softmax"}}}}}},
      {"training", {{"optimizer", {{"type", "rmsprop"}, {"learning_rate", 0.001}}}, {"epochs", 2},
                    {"batch_size", 128}, {"seed", 5}, {"threads", 1}}},
      {"output", "unused"}};
  fixtures::write_bytes(dir.file("config.json"), config.dump());
  const std::string out = dir.file("run");
  const std::string checkpoint = out + "/checkpoint.bin";

  // The uninterrupted run, moved aside: the interrupted one writes the same folder name.
  REQUIRE(run_cli("train --quiet --config " + quote(dir.file("config.json")) + " --out " + quote(out)).status == 0);
  std::filesystem::rename(out, dir.file("full"));

  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (chdir(MNISTTRAIN_SOURCE_DIR) != 0) _exit(127);
    std::freopen("/dev/null", "w", stdout);
    std::freopen(dir.file("err").c_str(), "w", stderr);
    execl(MNISTTRAIN_BINARY, MNISTTRAIN_BINARY, "train", "--quiet", "--config", dir.file("config.json").c_str(),
          "--out", out.c_str(), nullptr);
    _exit(127);
  }
  // The first epoch's checkpoint (cursor 0) marks the start of epoch 2. Then wait until the
  // child has spent two clock ticks (20 ms) of CPU time in epoch 2, so that the signal lands
  // inside the epoch whatever the machine's load (on an AMD EPYC the whole epoch took less
  // than the tenth of a second waited before).
  int status = 0;
  auto child_exited = [&] { return waitpid(child, &status, WNOHANG) == child; };
  while (!std::filesystem::exists(checkpoint)) {
    REQUIRE_FALSE(child_exited());
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const nlohmann::json epoch_end = mnisttrain::io::load_model_file(checkpoint).header;
  REQUIRE(epoch_end["epoch"] == 1);
  REQUIRE(epoch_end["batch"] == 0);
  const long ticks_per_second = sysconf(_SC_CLK_TCK);
  const long epoch_2_start = cpu_ticks(child);
  while (cpu_ticks(child) < epoch_2_start + std::max(2L, ticks_per_second / 50)) {
    REQUIRE_FALSE(child_exited());
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  kill(child, SIGINT);
  waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  CHECK_THAT(fixtures::read_bytes(dir.file("err")), Contains("resume with: mnisttrain train --resume"));
  CHECK_FALSE(std::filesystem::exists(out + "/model.bin"));
  // A checkpoint inside epoch 2: only a stop request writes one with a cursor past 0.
  const nlohmann::json stopped = mnisttrain::io::load_model_file(checkpoint).header;
  INFO("checkpoint at epoch " << stopped["epoch"] << ", batch " << stopped["batch"]);
  CHECK(stopped["epoch"] == 1);
  CHECK(stopped["batch"].get<int>() > 0);
  CHECK(stopped["batch"].get<int>() < 469);
  CHECK(stopped["seen"].get<int>() == 128 * stopped["batch"].get<int>());

  // Flags that would change the run are refused on resume.
  const Run changed = run_cli("train --quiet --batch-size 64 --resume " + quote(checkpoint));
  CHECK(changed.status == 1);
  CHECK_THAT(changed.err, Contains("checkpoint.bin: --resume continues the checkpoint's own run; --batch-size would change it"));
  const Run resumed = run_cli("train --quiet --resume " + quote(checkpoint));
  REQUIRE(resumed.status == 0);
  CHECK(fixtures::read_bytes(out + "/model.bin") == fixtures::read_bytes(dir.file("full/model.bin")));
  const std::string metrics = fixtures::metrics_without_timing(out + "/metrics.jsonl");
  CHECK(lines(metrics) == 2);
  CHECK(metrics == fixtures::metrics_without_timing(dir.file("full/metrics.jsonl")));
}

TEST_CASE("summary --config and train --config judge every config alike", "[cli][e2e]") {
  fixtures::TempDir dir;
  const std::string layers =
      R"("layers": [{"type": "dense", "units": UNITS, "activation": "relu"},
                   {"type": "dense", "units": 10, "activation": "softmax"}])";
  const auto config = [&](const std::string& units, const std::string& training,
                          const std::string& extra) {
    std::string text = layers;
    text.replace(text.find("UNITS"), 5, units);
    return R"({"model": {)" + text + R"(}, "training": {)" + training + "}" + extra + "}";
  };
  const std::string out = R"(, "output": ")" + dir.file("run") + "\"";
  const std::vector<std::string> bad = {
      config("0", "", out),
      config("512", R"("batch_size": 0)", out),
      config("512", R"("epochs": 0)", out),
      config("512", R"("optimizer": {"type": "adam", "rho": 0.9})", out),
      config("512", R"("loss": "mse")", out),
      config("512", "", out + R"(, "data": {"validation_split": 1.5})"),
      config("512", R"("early_stopping": {"monitor": "val_loss"})", out),
      config("512", "", R"(, "output": "")"),
  };
  for (std::size_t i = 0; i < bad.size(); ++i) {
    const std::string path = dir.file("bad" + std::to_string(i) + ".json");
    fixtures::write_bytes(path, bad[i]);
    const Run summary = run_cli("summary --config " + quote(path));
    const Run train = run_cli("train --quiet --config " + quote(path));
    INFO(bad[i]);
    CHECK(summary.status == 1);
    CHECK(train.status == 1);
    CHECK(lines(summary.err) == 1);
    CHECK(summary.err == train.err);
  }
  CHECK(!std::filesystem::exists(dir.file("run")));
  // summary never uses the output folder, so it may be left out; train needs it.
  const std::string no_output = dir.file("no_output.json");
  fixtures::write_bytes(no_output, config("512", "", ""));
  CHECK(run_cli("summary --config " + quote(no_output)).status == 0);
  CHECK_THAT(run_cli("train --quiet --config " + quote(no_output)).err,
             Contains("missing required key \"output\""));
}

TEST_CASE("summary --config takes the input shape from the data's IDX header", "[cli][e2e]") {
  fixtures::TempDir dir;
  // 3 images of 4x5: (20 + 1) x 8 + (8 + 1) x 10 = 258 parameters, not 784's 6,370.
  const std::string header = std::string("\0\0\x08\x03\0\0\0\x03\0\0\0\x04\0\0\0\x05", 16);
  fixtures::write_bytes(dir.file("images"), header + std::string(60, '\0'));
  fixtures::write_bytes(dir.file("cfg.json"), R"({"data": {"train_images": "images"},
      "model": {"layers": [{"type": "dense", "units": 8, "activation": "relu"},
                           {"type": "dense", "units": 10, "activation": "softmax"}]}})");
  const Run r = run_cli("summary --config " + quote(dir.file("cfg.json")));
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Contains("(None, 4, 5)") && Contains("Total params: 258 "));
}

TEST_CASE("descent prints each path and draws them, and report rebuilds and compares run folders", "[cli][e2e]") {
  fixtures::TempDir dir;
  const Run descent = run_cli("descent --learning-rate 0.01,0.1 --lr 1.01 --out " + quote(dir.file("d.html")));
  REQUIRE(descent.status == 0);
  CHECK_THAT(descent.out, Contains("learning rate 0.01: 1000 steps, final x = 3.36593e-09, f(x) = 1.13295e-17\n"));
  // The diverging path's last digits depend on how the build rounds the central difference's
  // cancellation of two squares near 1e17 (whether it contracts them into a fused
  // multiply-add differs between -march=native targets): 7.96634e+08 in a build on an Intel
  // Xeon, 7.96509e+08 on an AMD EPYC. Its growth (x * 1.02 per step) is what is checked.
  CHECK(std::regex_search(descent.out, std::regex("learning rate 1\\.01: 1000 steps, final x = 7\\.96[0-9]*e\\+08")));
  CHECK(lines(descent.out) == 4);
  CHECK_THAT(fixtures::read_bytes(dir.file("d.html")), Contains("learning rate 1.01"));
  const Run unknown = run_cli("descent --function x^3 --out " + quote(dir.file("u.html")));
  CHECK(unknown.status != 0);
  CHECK_THAT(unknown.err, Contains("x^2") && Contains("x^4") && Contains("(x-1)^2"));
  CHECK_FALSE(std::filesystem::exists(dir.file("u.html")));

  // Two small real runs on synthetic data, reported again and compared by the command.
  fixtures::write_synthetic(dir, "train", 200, 1);
  fixtures::write_synthetic(dir, "test", 60, 2);
  for (const char* run : {"a", "b"}) {
    const nlohmann::json doc = {
        {"data", {{"train_images", "train-images"}, {"train_labels", "train-labels"}, {"test_images", "test-images"},
                  {"test_labels", "test-labels"}, {"num_classes", 3}}},
        {"model", {{"layers", {{{"type", "dense"}, {"units", 3}, {"activation", "softmax"}}}}}},
        {"training", {{"epochs", 2}, {"batch_size", 20}, {"threads", 1}}},
        {"output", dir.file(run)}};
    mnisttrain::train::TrainListener quiet;
    mnisttrain::train::train(mnisttrain::config::parse_config(doc, "t.json", dir.path().string()), {}, quiet);
  }
  const Run one = run_cli("report " + quote(dir.file("a")));
  REQUIRE(one.status == 0);
  CHECK(one.out == "wrote " + dir.file("a") + "/report.html\n");
  const Run both_without_out = run_cli("report " + quote(dir.file("a")) + " " + quote(dir.file("b")));
  CHECK(both_without_out.status != 0);
  CHECK_THAT(both_without_out.err, Contains("--out"));
  const Run both = run_cli("report " + quote(dir.file("a")) + " " + quote(dir.file("b")) + " --out " + quote(dir.file("c.html")));
  REQUIRE(both.status == 0);
  CHECK_THAT(fixtures::read_bytes(dir.file("c.html")), Contains("<th>a</th><th>b</th>"));
  const Run missing = run_cli("report " + quote(dir.file("nope")));
  CHECK(missing.status == 1);
  CHECK_THAT(missing.err, Contains("nope: not a run folder"));
}

namespace {

// A config for the synthetic 3-class task in `dir`, with `data_extra` added to its data section.
std::string write_synthetic_config(const fixtures::TempDir& dir, const std::string& name, const std::string& prefix,
                                   const nlohmann::json& data_extra, const nlohmann::json& training) {
  nlohmann::json config = {
      {"data", {{"train_images", prefix + "train-images"}, {"train_labels", "train-labels"},
                {"test_images", prefix + "test-images"}, {"test_labels", "test-labels"}, {"num_classes", 3}}},
      {"model", {{"layers", {{{"type", "dense"}, {"units", 8}, {"activation", "relu"}},
                             {{"type", "dense"}, {"units", 3}, {"activation", "softmax"}}}}}},
      {"training", training},
      {"output", "unused"}};
  for (const auto& [key, value] : data_extra.items()) config["data"][key] = value;
  fixtures::write_bytes(dir.file(name), config.dump());
  return quote(dir.file(name));
}

}  // namespace

TEST_CASE("data.transpose turns stored-transposed images upright in train, eval and predict", "[cli][e2e]") {
  fixtures::TempDir dir;
  fixtures::write_upright_and_transposed(dir);
  const nlohmann::json training = {{"optimizer", {{"type", "adam"}, {"learning_rate", 0.01}}}, {"epochs", 2},
                                   {"batch_size", 32}, {"seed", 7}, {"threads", 1}};
  // The same task twice: as the files were written, and stored transposed with transpose: true.
  const std::string upright = write_synthetic_config(dir, "upright.json", "", {}, training);
  const std::string stored = write_synthetic_config(dir, "stored.json", "t-", {{"transpose", true}}, training);
  REQUIRE(run_cli("train --quiet --config " + upright + " --out " + quote(dir.file("upright"))).status == 0);
  REQUIRE(run_cli("train --quiet --config " + stored + " --out " + quote(dir.file("stored"))).status == 0);

  // Training saw the very images of the upright run: every epoch's numbers are the same.
  const std::string upright_metrics = fixtures::metrics_without_timing(dir.file("upright/metrics.jsonl"));
  CHECK(upright_metrics.size() > 100);
  CHECK(fixtures::metrics_without_timing(dir.file("stored/metrics.jsonl")) == upright_metrics);
  const auto summary = nlohmann::json::parse(fixtures::read_bytes(dir.file("stored/summary.json")));
  CHECK(summary["config"]["data"]["transpose"] == true);
  const double test_accuracy = summary["test_accuracy"].get<double>();

  // eval reads the transposed files as training did: its recorded test set and --images/--labels.
  const std::string model = quote(dir.file("stored/model.bin"));
  const Run recorded = run_cli("eval " + model + " --json");
  REQUIRE(recorded.status == 0);
  CHECK(nlohmann::json::parse(recorded.out)["accuracy"].get<double>() == test_accuracy);
  const Run given = run_cli("eval " + model + " --json --images " + quote(dir.file("t-test-images")) + " --labels " +
                            quote(dir.file("test-labels")));
  REQUIRE(given.status == 0);
  CHECK(nlohmann::json::parse(given.out)["accuracy"].get<double>() == test_accuracy);

  // predict on the transposed IDX file gives what the upright model gives on the upright file.
  const Run from_stored = run_cli("predict " + model + " --images " + quote(dir.file("t-test-images")) +
                                  " --count 90 --json");
  const Run from_upright = run_cli("predict " + quote(dir.file("upright/model.bin")) + " --images " +
                                   quote(dir.file("test-images")) + " --count 90 --json");
  REQUIRE(from_stored.status == 0);
  REQUIRE(from_upright.status == 0);
  const auto stored_predictions = nlohmann::json::parse(from_stored.out);
  const auto upright_predictions = nlohmann::json::parse(from_upright.out);
  REQUIRE(stored_predictions.size() == 90);
  for (std::size_t i = 0; i < 90; ++i) {
    INFO("image " << i);
    CHECK(stored_predictions[i]["probabilities"] == upright_predictions[i]["probabilities"]);
  }
}

TEST_CASE("data.class_names: eval and predict show each class's name beside its index", "[cli][e2e]") {
  fixtures::TempDir dir;
  fixtures::write_synthetic(dir, "train", 300, 1);
  fixtures::write_synthetic(dir, "test", 90, 2);
  // Barely trained, so that there are confused pairs and mistakes to name.
  const nlohmann::json training = {{"optimizer", {{"type", "sgd"}, {"learning_rate", 0.001}}}, {"epochs", 1},
                                   {"batch_size", 32}, {"seed", 7}, {"threads", 1}};
  const std::vector<std::string> names{"zero", "one", "two"};
  const std::string config = write_synthetic_config(dir, "named.json", "", {{"class_names", names}}, training);
  REQUIRE(run_cli("train --quiet --config " + config + " --out " + quote(dir.file("run"))).status == 0);
  const std::string model = quote(dir.file("run/model.bin"));

  const Run json = run_cli("eval " + model + " --json");
  REQUIRE(json.status == 0);
  const auto report = nlohmann::json::parse(json.out);
  for (std::size_t c = 0; c < 3; ++c) CHECK(report["classes"][c]["name"] == names[c]);
  const auto& pair = report["most_confused"].at(0);
  const auto t = pair["true"].get<std::size_t>();
  const auto p = pair["predicted"].get<std::size_t>();

  const Run text = run_cli("eval " + model + " --show-errors 1");
  REQUIRE(text.status == 0);
  // The per-class table gains a name column as wide as the longest name ("name" itself here).
  CHECK_THAT(text.out, Contains("\nclass  name  precision  recall      f1  support\n"));
  CHECK_THAT(text.out, Contains("\n    0  zero     ") && Contains("\n    1  one      ") &&
                           Contains("\n    2  two      "));
  CHECK_THAT(text.out, Contains("\nmost confused (true -> predicted: count)\n  " + std::to_string(t) + " " + names[t] +
                                " -> " + std::to_string(p) + " " + names[p] + ": " +
                                std::to_string(pair["count"].get<std::size_t>()) + "\n"));
  const std::regex mistake(R"(\nimage [0-9]+: true [0-2] (zero|one|two), predicted [0-2] (zero|one|two) with p = )");
  CHECK(std::regex_search(text.out, mistake));

  const Run predicted = run_cli("predict " + model + " --images " + quote(dir.file("test-images")) + " --json");
  REQUIRE(predicted.status == 0);
  const auto first = nlohmann::json::parse(predicted.out).at(0);
  const auto c = first["predicted"].get<std::size_t>();
  CHECK(first["name"] == names[c]);
  const Run drawn = run_cli("predict " + model + " --images " + quote(dir.file("test-images")));
  REQUIRE(drawn.status == 0);
  CHECK_THAT(drawn.out, StartsWith("image 0: predicted " + std::to_string(c) + " " + names[c] + " (p = "));

  // Without class_names, no name anywhere: the output is as it always was.
  const std::string unnamed = write_synthetic_config(dir, "unnamed.json", "", {}, training);
  REQUIRE(run_cli("train --quiet --config " + unnamed + " --out " + quote(dir.file("plain"))).status == 0);
  const std::string plain = quote(dir.file("plain/model.bin"));
  CHECK_FALSE(nlohmann::json::parse(run_cli("eval " + plain + " --json").out)["classes"][0].contains("name"));
  CHECK_THAT(run_cli("eval " + plain).out, Contains("\nclass  precision  recall      f1  support\n    0     "));
  const Run plain_predicted = run_cli("predict " + plain + " --images " + quote(dir.file("test-images")) + " --json");
  CHECK_FALSE(nlohmann::json::parse(plain_predicted.out)[0].contains("name"));
}

// ---- in-process: the same command line the binary builds, parsed without spawning it ----

namespace {

struct Parsed {
  CLI::App app{"test"};
  std::string log_level = "info";
  mnisttrain::cli::CommandAction chosen;
  Parsed() { mnisttrain::cli::build_app(app, log_level, chosen); }
  CLI::Option* option(const std::string& command, const std::string& name) {
    return app.get_subcommand(command)->get_option(name);
  }
};

}  // namespace

TEST_CASE("command-line parsing in-process: flags, defaults, overrides, refusals", "[cli]") {
  SECTION("train's overrides are parsed into their options, unset ones stay unset") {
    Parsed p;
    p.app.parse("train --epochs 3 --batch-size 64 --learning-rate 0.01 --seed 18446744073709551615 "
                "--out runs/x --overwrite -q",
                false);
    CHECK(p.chosen != nullptr);
    CHECK(p.option("train", "--epochs")->as<int>() == 3);
    CHECK(p.option("train", "--batch-size")->as<int>() == 64);
    CHECK(p.option("train", "--learning-rate")->as<double>() == 0.01);
    CHECK(p.option("train", "--seed")->as<unsigned long long>() == 18446744073709551615ull);
    CHECK(p.option("train", "--out")->as<std::string>() == "runs/x");
    CHECK(p.option("train", "--overwrite")->count() == 1);
    CHECK(p.option("train", "--threads")->count() == 0);
    CHECK(p.option("train", "--config")->count() == 0);
  }
  SECTION("defaults are what --help shows") {
    Parsed p;
    p.app.parse("eval model.bin", false);
    CHECK(p.option("eval", "--batch-size")->get_default_str() == "256");
    CHECK(p.option("eval", "model")->as<std::string>() == "model.bin");
    CHECK(p.option("gradcheck", "--threshold")->get_default_str() == "0.001");
    CHECK(p.option("gradcheck", "--samples")->get_default_str() == "4");
    CHECK(p.option("show", "--count")->get_default_str() == "1");
    CHECK(p.option("bench", "--seconds")->get_default_str() == "1");
  }
  SECTION("--log-level works after the subcommand") {
    Parsed p;
    p.app.parse("summary --log-level warn", false);
    CHECK(p.log_level == "warn");
    spdlog::set_level(spdlog::level::info);
  }
  SECTION("bad values, unknown flags and a missing command are refused") {
    CHECK_THROWS_AS(Parsed().app.parse("train --epochs 0", false), CLI::ValidationError);
    CHECK_THROWS_AS(Parsed().app.parse("train --learning-rate -1", false), CLI::ValidationError);
    CHECK_THROWS_AS(Parsed().app.parse("train --epoch 3", false), CLI::ExtrasError);
    CHECK_THROWS_AS(Parsed().app.parse("eval", false), CLI::RequiredError);
    CHECK_THROWS_AS(Parsed().app.parse("", false), CLI::RequiredError);
    CHECK_THROWS_AS(Parsed().app.parse("summary --log-level loud", false), CLI::ValidationError);
  }
}
