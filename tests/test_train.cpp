// The training loop on a small synthetic data set written to IDX files: it learns, it is
// deterministic to the byte, it starts from the seed's weights and visits the samples in a new
// order each epoch, a resumed run (after an epoch or mid-epoch) ends with the same model bytes
// and metrics as an uninterrupted one, damaged checkpoints are refused, NaN stops with a clear
// error and no model, early stopping and best-model saving follow Keras's rules, the batch loop
// allocates nothing on any optimizer path, evaluation statistics are right on hand-made
// predictions, and every reader of a config's data turns images upright with data.transpose.
#include "config/config.h"
#include "data/dataset.h"
#include "train/checkpoint.h"
#include "train/config_data.h"
#include "train/describe.h"
#include "train/predict.h"
#include "train/run_folder.h"
#include "train/saved_model.h"
#include "train/trainer.h"
#include "io/model_file.h"
#include "alloc_counter.h"
#include "fixtures.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <unistd.h>

using namespace mnisttrain;
using Catch::Matchers::Contains;

namespace {

struct Fixture {
  fixtures::TempDir dir;
  Fixture() {
    fixtures::write_synthetic(dir, "train", 300, 1);
    fixtures::write_synthetic(dir, "test", 90, 2);
  }
  config::Config config(const std::string& run, nlohmann::json training_extra = {},
                        nlohmann::json layers = nullptr, nlohmann::json data_extra = {}) const {
    nlohmann::json doc = {
        {"data", {{"train_images", "train-images"}, {"train_labels", "train-labels"},
                  {"test_images", "test-images"}, {"test_labels", "test-labels"},
                  {"num_classes", 3}, {"validation_split", 0.2}}},
        {"model", {{"layers", layers.is_null() ? nlohmann::json::array({
                                                     {{"type", "dense"}, {"units", 8}, {"activation", "relu"}},
                                                     {{"type", "dropout"}, {"rate", 0.1}},
                                                     {{"type", "dense"}, {"units", 3}, {"activation", "softmax"}}})
                                               : layers}}},
        {"training", {{"optimizer", {{"type", "adam"}, {"learning_rate", 0.01}}}, {"epochs", 5},
                      {"batch_size", 32}, {"seed", 7}, {"threads", 1}}},
        {"output", dir.file(run)}};
    for (auto& [key, value] : training_extra.items()) doc["training"][key] = value;
    for (auto& [key, value] : data_extra.items()) doc["data"][key] = value;
    return config::parse_config(doc, "test.json", dir.path().string());
  }
};

// Stops after a given number of batch callbacks, as a Ctrl-C would.
class StopAfter : public train::TrainListener {
 public:
  StopAfter(std::size_t batches, std::atomic<bool>& flag) : left_(batches), flag_(flag) {}
  void batch_end(std::size_t, std::size_t, double, double) override {
    if (left_ > 0 && --left_ == 0) flag_.store(true);
  }

 private:
  std::size_t left_;
  std::atomic<bool>& flag_;
};

train::TrainListener quiet;

// Records the process's allocation count at the start of every epoch and at the end of every
// batch, into storage reserved up front (the probe's own bookkeeping must not count).
class AllocationProbe : public train::TrainListener {
 public:
  AllocationProbe() { samples_.reserve(4096); }
  void epoch_begin(int epoch, int, std::size_t) override {
    samples_.push_back({epoch, 0, fixtures::allocations()});
  }
  void batch_end(std::size_t batch, std::size_t, double, double) override {
    samples_.push_back({samples_.back().epoch, batch, fixtures::allocations()});
  }
  struct Sample {
    int epoch;
    std::size_t batch;  // 0: the epoch's start
    std::size_t allocations;
  };
  std::vector<Sample> samples_;
};

// The loss of every training step, recovered from the running means the trainer reports: with
// batch size 1, step b's loss is b * mean_b - (b - 1) * mean_(b-1).
class StepLosses : public train::TrainListener {
 public:
  void epoch_begin(int, int, std::size_t) override {
    epochs.emplace_back();
    previous_sum_ = 0.0;
  }
  void batch_end(std::size_t batch, std::size_t, double mean_loss, double) override {
    const double sum = mean_loss * static_cast<double>(batch);
    epochs.back().push_back(sum - previous_sum_);
    previous_sum_ = sum;
  }
  std::vector<std::vector<double>> epochs;

 private:
  double previous_sum_ = 0.0;
};

std::vector<double> metric_per_epoch(const std::string& path, const std::string& key) {
  const std::string text = fixtures::read_bytes(path);
  std::vector<double> values;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    values.push_back(nlohmann::json::parse(text.substr(start, end - start))[key].get<double>());
  }
  return values;
}

// Test-set accuracy of a saved model computed here, not by train::evaluate: forward every image,
// take the largest output, compare with the label.
std::size_t count_correct(const std::string& model_path, const data::Dataset& test) {
  train::SavedModel saved = train::load_model(model_path);
  nn::Network& net = *saved.network;
  net.reserve(test.count);
  std::vector<float> x(test.count * test.features());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(test.images[i]) / 255.0f;
  const float* out = net.forward(x.data(), test.count, false);
  const std::size_t C = net.output_features();
  std::size_t correct = 0;
  for (std::size_t i = 0; i < test.count; ++i) {
    const float* row = out + i * C;
    correct += static_cast<std::size_t>(std::max_element(row, row + C) - row) == test.labels[i];
  }
  return correct;
}

}  // namespace

TEST_CASE("training learns the synthetic task and writes the run folder", "[train]") {
  Fixture f;
  const config::Config cfg = f.config("run");
  const train::TrainResult r = train::train(cfg, {}, quiet);
  CHECK(r.reason == train::StopReason::Completed);
  CHECK(r.epochs_run == 5);
  CHECK(r.test.count == 90);
  CHECK(r.test.accuracy > 0.9);
  for (const char* name : {"model.bin", "metrics.jsonl", "summary.json", "checkpoint.bin"}) {
    CHECK(std::filesystem::exists(f.dir.file(std::string("run/") + name)));
  }
  // One JSON object per epoch with the documented keys.
  const std::string metrics = fixtures::read_bytes(f.dir.file("run/metrics.jsonl"));
  CHECK(std::count(metrics.begin(), metrics.end(), '\n') == 5);
  const auto first = nlohmann::json::parse(metrics.substr(0, metrics.find('\n')));
  for (const char* key : {"epoch", "loss", "accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds", "samples_per_second"}) {
    CHECK(first.contains(key));
  }
  const auto summary = nlohmann::json::parse(fixtures::read_bytes(f.dir.file("run/summary.json")));
  CHECK(summary["test_accuracy"].get<double>() == r.test.accuracy);
  CHECK(summary["seed"] == 7);
  CHECK(summary["threads"] == 1);
  CHECK(summary["param_count"] == (16 + 1) * 8 + (8 + 1) * 3);
  // The saved model reproduces the test accuracy, counted here image by image.
  const data::Dataset test = data::load_dataset(f.dir.file("test-images"), f.dir.file("test-labels"), 3);
  CHECK(count_correct(f.dir.file("run/model.bin"), test) == r.test.correct);
  CHECK(static_cast<double>(r.test.correct) / 90.0 == r.test.accuracy);
}

TEST_CASE("same config, seed and threads give bit-identical model and metrics", "[train]") {
  Fixture f;
  // Both runs write to the same folder name (it is part of the recorded config), one after the
  // other, so the whole model file can be compared byte for byte.
  train::train(f.config("run"), {}, quiet);
  std::filesystem::rename(f.dir.file("run"), f.dir.file("first"));
  train::train(f.config("run"), {}, quiet);
  const std::string first = fixtures::read_bytes(f.dir.file("first/model.bin"));
  CHECK(first.size() > 100);
  CHECK(fixtures::read_bytes(f.dir.file("run/model.bin")) == first);
  const std::string metrics = fixtures::metrics_without_timing(f.dir.file("run/metrics.jsonl"));
  CHECK(std::count(metrics.begin(), metrics.end(), '\n') == 5);
  CHECK(metrics == fixtures::metrics_without_timing(f.dir.file("first/metrics.jsonl")));
  // A different seed trains a different model.
  train::train(f.config("c", {{"seed", 8}}), {}, quiet);
  CHECK(train::load_model(f.dir.file("c/model.bin")).network->params() !=
        train::load_model(f.dir.file("first/model.bin")).network->params());
}

TEST_CASE("the thread count changes no bit of the model, on the dense and the sparse first layer", "[train]") {
  // Every layer kind, wide enough (160 units) that 2 and 3 threads split layers by units, and
  // that a product sent to OpenBLAS (on a CPU it has kernels for) is cut into two blocks.
  const nlohmann::json layers = nlohmann::json::array({
      {{"type", "flatten"}},
      {{"type", "dense"}, {"units", 160}, {"activation", "relu"}},
      {{"type", "dropout"}, {"rate", 0.2}},
      {{"type", "dense"}, {"units", 160}, {"use_bias", false}, {"l2", 0.001}},
      {{"type", "activation"}, {"activation", "tanh"}},
      {{"type", "dense"}, {"units", 3}, {"activation", "softmax"}}});
  for (const bool blank_background : {false, true}) {
    Fixture f;
    fixtures::write_synthetic(f.dir, "train", 300, 1, blank_background);
    const std::string path = blank_background ? "sparse" : "dense";
    std::string first;
    for (int threads : {1, 2, 3}) {
      INFO(path << " first layer, " << threads << " threads");
      const train::TrainResult r = train::train(f.config("run", {{"threads", threads}, {"optimizer", {{"type", "rmsprop"}}}}, layers), {}, quiet);
      CHECK(r.threads == threads);
      CHECK(r.sparse_input == blank_background);
      const std::string model = fixtures::read_bytes(f.dir.file("run/model.bin"));
      if (first.empty()) first = model;
      CHECK(model == first);
      std::filesystem::remove_all(f.dir.file("run"));
    }
  }
}

TEST_CASE("updating the sparse first layer inside its backward pass changes no bit, for every optimizer", "[train]") {
  // Without clipnorm the first layer's weights are updated as their gradient rows are made
  // (train/step.cpp); a clipnorm too large to clip turns that off and leaves the math as it is.
  const nlohmann::json layers = nlohmann::json::array({
      {{"type", "dense"}, {"units", 48}, {"activation", "relu"}},
      {{"type", "dense"}, {"units", 3}, {"activation", "softmax"}}});
  const std::vector<nlohmann::json> optimizers = {
      {{"type", "rmsprop"}}, {{"type", "rmsprop"}, {"momentum", 0.5}}, {{"type", "adam"}},
      {{"type", "adamw"}, {"weight_decay", 0.01}}, {{"type", "sgd"}, {"momentum", 0.9}, {"nesterov", true}}};
  Fixture f;
  fixtures::write_synthetic(f.dir, "train", 300, 1, true);
  for (const nlohmann::json& optimizer : optimizers) {
    INFO(optimizer.dump());
    nlohmann::json unstreamed = optimizer;
    unstreamed["clipnorm"] = 1e30;
    const train::TrainResult r = train::train(f.config("streamed", {{"threads", 2}, {"optimizer", optimizer}}, layers), {}, quiet);
    REQUIRE(r.sparse_input);
    train::train(f.config("plain", {{"threads", 2}, {"optimizer", unstreamed}}, layers), {}, quiet);
    const std::vector<float> streamed = train::load_model(f.dir.file("streamed/model.bin")).network->params();
    CHECK(streamed == train::load_model(f.dir.file("plain/model.bin")).network->params());
    std::filesystem::remove_all(f.dir.file("streamed"));
    std::filesystem::remove_all(f.dir.file("plain"));
  }
}

TEST_CASE("a run resumed from its checkpoint ends with the same model bytes and metrics", "[train]") {
  Fixture f;
  train::train(f.config("full"), {}, quiet);
  const std::string full = fixtures::read_bytes(f.dir.file("full/model.bin"));
  const std::string full_metrics = fixtures::metrics_without_timing(f.dir.file("full/metrics.jsonl"));

  // The interrupted runs write into the same folder name as the full run would, so their
  // recorded config (and the model file's header) is byte-identical.
  std::filesystem::rename(f.dir.file("full"), f.dir.file("full-kept"));
  const std::size_t batches_per_epoch = 8;  // 240 training samples after the 20% split, batch 32
  for (std::size_t stop_after : {2 * batches_per_epoch, 2 * batches_per_epoch + 3}) {
    DYNAMIC_SECTION("stopped after " << stop_after << " batches") {
      std::atomic<bool> stop{false};
      StopAfter listener(stop_after, stop);
      train::TrainOptions options;
      options.stop_requested = &stop;
      const train::TrainResult first = train::train(f.config("full"), options, listener);
      REQUIRE(first.reason == train::StopReason::Interrupted);
      CHECK_FALSE(std::filesystem::exists(f.dir.file("full/model.bin")));
      const train::Checkpoint c = train::load_checkpoint(first.checkpoint_path);
      CHECK(c.state.epoch == 2);
      CHECK(c.state.batch == stop_after - 2 * batches_per_epoch);

      train::TrainOptions resume;
      resume.resume_path = first.checkpoint_path;
      const train::TrainResult second = train::train(c.config, resume, quiet);
      CHECK(second.reason == train::StopReason::Completed);
      CHECK(fixtures::read_bytes(f.dir.file("full/model.bin")) == full);
      // The per-batch log continues exactly where the checkpoint stopped: no batch twice.
      CHECK(fixtures::read_bytes(f.dir.file("full/batches.jsonl")) ==
            fixtures::read_bytes(f.dir.file("full-kept/batches.jsonl")));
      // The resumed epoch's loss and accuracy are means over all its batches, before and after
      // the interruption, exactly as in the uninterrupted run.
      CHECK(fixtures::metrics_without_timing(f.dir.file("full/metrics.jsonl")) == full_metrics);
      std::filesystem::remove_all(f.dir.file("full"));
    }
  }
}

TEST_CASE("a diverging run stops with an error naming epoch and batch, and writes no model", "[train]") {
  Fixture f;
  const config::Config cfg = f.config("nan", {{"optimizer", {{"type", "sgd"}, {"learning_rate", 1e30}}}});
  const std::string message = fixtures::error_of([&] { train::train(cfg, {}, quiet); });
  CHECK_THAT(message, Contains("training diverged") && Contains("epoch 1, batch"));
  CHECK((message.find("NaN") != std::string::npos || message.find("infinite") != std::string::npos));
  CHECK_FALSE(std::filesystem::exists(f.dir.file("nan/model.bin")));
}

TEST_CASE("early stopping stops after patience epochs without an improvement over min_delta", "[train]") {
  Fixture f;
  // A learning rate of ~0 makes val_loss stop improving at once: epoch 1 sets the best, epoch
  // 2 is the first without improvement, and with patience 1 the run stops there.
  const config::Config cfg = f.config("early", {{"epochs", 10},
                                               {"optimizer", {{"type", "sgd"}, {"learning_rate", 1e-30}}},
                                               {"early_stopping", {{"monitor", "val_loss"}, {"patience", 1},
                                                                   {"min_delta", 0.01}, {"restore_best_weights", true}}},
                                               {"save_best", {{"monitor", "val_loss"}}}});
  const train::TrainResult r = train::train(cfg, {}, quiet);
  CHECK(r.reason == train::StopReason::EarlyStopped);
  CHECK(r.epochs_run == 2);
  CHECK(metric_per_epoch(f.dir.file("early/metrics.jsonl"), "val_loss").size() == 2);
  CHECK(std::filesystem::exists(f.dir.file("early/best.bin")));
  const auto summary = nlohmann::json::parse(fixtures::read_bytes(f.dir.file("early/summary.json")));
  CHECK(summary["stopped"] == "early_stopping");
}

TEST_CASE("training refuses bad data before the first step", "[train]") {
  Fixture f;
  config::Config cfg = f.config("bad");
  cfg.data.train_labels = f.dir.file("test-labels");  // 90 labels for 300 images
  CHECK_THAT(fixtures::error_of([&] { train::train(cfg, {}, quiet); }),
             Contains("holds 90 labels but") && Contains("holds 300 images"));
  cfg = f.config("bad");
  cfg.data.num_classes = 2;  // labels go up to 2
  CHECK_THAT(fixtures::error_of([&] { train::train(cfg, {}, quiet); }), Contains("not below the class count 2"));
}

TEST_CASE("the batch loop allocates nothing, on every optimizer path, from the start of each epoch", "[train]") {
  const nlohmann::json l2_layers = nlohmann::json::array({
      {{"type", "dense"}, {"units", 8}, {"activation", "relu"}, {"l2", 0.01}},
      {{"type", "dropout"}, {"rate", 0.1}},
      {{"type", "dense"}, {"units", 3}, {"activation", "softmax"}, {"l2", 0.01}}});
  const struct Variant {
    const char* name;
    nlohmann::json training;
    nlohmann::json layers;
  } variants[] = {
      {"sgd", {{"optimizer", {{"type", "sgd"}, {"learning_rate", 0.1}}}}, nullptr},
      {"sgd momentum", {{"optimizer", {{"type", "sgd"}, {"learning_rate", 0.1}, {"momentum", 0.9}}}}, nullptr},
      {"sgd nesterov", {{"optimizer", {{"type", "sgd"}, {"learning_rate", 0.1}, {"momentum", 0.9}, {"nesterov", true}}}}, nullptr},
      {"rmsprop", {{"optimizer", {{"type", "rmsprop"}, {"learning_rate", 0.01}}}}, nullptr},
      {"rmsprop momentum", {{"optimizer", {{"type", "rmsprop"}, {"learning_rate", 0.01}, {"momentum", 0.5}}}}, nullptr},
      {"adam", {{"optimizer", {{"type", "adam"}, {"learning_rate", 0.01}}}}, nullptr},
      {"adamw", {{"optimizer", {{"type", "adamw"}, {"learning_rate", 0.01}, {"weight_decay", 0.004}}}}, nullptr},
      {"clipnorm", {{"optimizer", {{"type", "adam"}, {"learning_rate", 0.01}, {"clipnorm", 0.1}}}}, nullptr},
      {"l2", {{"optimizer", {{"type", "rmsprop"}, {"learning_rate", 0.01}}}}, l2_layers},
      {"cosine schedule", {{"optimizer", {{"type", "sgd"}, {"learning_rate", 0.1}, {"schedule", {{"type", "cosine"}}}}}}, nullptr},
      {"exponential schedule", {{"optimizer", {{"type", "adam"}, {"learning_rate", 0.01},
                                                {"schedule", {{"type", "exponential"}, {"decay_steps", 3}, {"decay_rate", 0.9}}}}}}, nullptr},
      {"batch size 1", {{"batch_size", 1}, {"optimizer", {{"type", "sgd"}, {"learning_rate", 0.01}, {"momentum", 0.9}}}}, nullptr},
  };
  Fixture f;
  for (const Variant& v : variants) {
    DYNAMIC_SECTION(v.name) {
      nlohmann::json training = v.training;
      training["epochs"] = 3;
      const config::Config cfg = f.config(std::string("alloc-") + v.name, training, v.layers);
      AllocationProbe probe;
      train::train(cfg, {}, probe);
      const std::size_t batches = (240 + static_cast<std::size_t>(cfg.training.batch_size) - 1) /
                                  static_cast<std::size_t>(cfg.training.batch_size);
      REQUIRE(probe.samples_.size() == 3 * (1 + batches));
      // Every batch of every epoch, the first included, ends with the count the epoch began with.
      for (std::size_t i = 0; i < probe.samples_.size(); ++i) {
        const AllocationProbe::Sample& sample = probe.samples_[i];
        if (sample.batch == 0) continue;
        const std::size_t at_start = probe.samples_[i - sample.batch].allocations;
        INFO("epoch " << sample.epoch << ", batch " << sample.batch);
        CHECK(sample.allocations == at_start);
      }
    }
  }
}

TEST_CASE("restore_best_weights restores at the end of training, as Keras 3 does", "[train]") {
  Fixture f;
  // A learning rate this large makes val_loss bounce, so the last epoch is not the best one.
  const config::Config cfg = f.config("restore", {{"epochs", 8},
                                                 {"optimizer", {{"type", "sgd"}, {"learning_rate", 3.0}}},
                                                 {"early_stopping", {{"monitor", "val_loss"}, {"patience", 100},
                                                                     {"restore_best_weights", true}}},
                                                 {"save_best", {{"monitor", "val_loss"}}}});
  const train::TrainResult r = train::train(cfg, {}, quiet);
  REQUIRE(r.reason == train::StopReason::Completed);
  const std::vector<double> val_loss = metric_per_epoch(f.dir.file("restore/metrics.jsonl"), "val_loss");
  INFO("val_loss per epoch: " << nlohmann::json(val_loss).dump());
  REQUIRE(val_loss.size() == 8);
  const auto best = std::min_element(val_loss.begin(), val_loss.end());
  REQUIRE(best != val_loss.end() - 1);
  const auto best_epochs = static_cast<int>(best - val_loss.begin()) + 1;
  // The weights the best epoch ended with: the same run stopped after that many epochs (the
  // callbacks never change training, and the learning rate is constant).
  const config::Config shorter = f.config("best-epoch", {{"epochs", best_epochs},
                                                         {"optimizer", {{"type", "sgd"}, {"learning_rate", 3.0}}}});
  train::train(shorter, {}, quiet);
  const std::vector<float> best_weights = train::load_model(f.dir.file("best-epoch/model.bin")).network->params();
  const std::vector<float> restored = train::load_model(f.dir.file("restore/model.bin")).network->params();
  CHECK(restored == best_weights);
  // ... and not the weights of the last epoch, which the checkpoint holds.
  CHECK(restored != train::load_checkpoint(f.dir.file("restore/checkpoint.bin")).params);
  CHECK(train::load_model(f.dir.file("restore/best.bin")).network->params() == best_weights);
}

TEST_CASE("evaluation refuses data of another size and sizes buffers by the data", "[train]") {
  Fixture f;
  train::train(f.config("eval"), {}, quiet);
  train::SavedModel model = train::load_model(f.dir.file("eval/model.bin"));
  data::Dataset test = data::load_dataset(f.dir.file("test-images"), f.dir.file("test-labels"), 3);
  // A batch size far beyond the data is fine: buffers are sized for the 90 samples there are.
  const train::Evaluation e = train::evaluate(*model.network, test, nn::Loss::CategoricalCrossentropy,
                                              std::size_t{1} << 40);
  CHECK(e.count == 90);
  data::Dataset wide = test;
  wide.cols = 2;  // 4x2 images for a network of 4x4 inputs
  CHECK_THAT(fixtures::error_of([&] { train::evaluate(*model.network, wide, nn::Loss::CategoricalCrossentropy, 32); }),
             Contains("8 pixels per image") && Contains("expects 16"));
}

TEST_CASE("the run folder: metrics.csv, batches.jsonl and the list of files written", "[train]") {
  Fixture f;
  const train::TrainResult r = train::train(
      f.config("run", {{"save_best", {{"monitor", "val_accuracy"}}}}), {}, quiet);
  CHECK(r.files == std::vector<std::string>{"model.bin", "best.bin", "metrics.jsonl", "metrics.csv",
                                            "batches.jsonl", "summary.json", "checkpoint.bin"});
  // Keras's CSVLogger: epoch from 0, then the metric names sorted.
  const std::string csv = fixtures::read_bytes(f.dir.file("run/metrics.csv"));
  CHECK(csv.substr(0, csv.find('\n')) == "epoch,accuracy,learning_rate,loss,val_accuracy,val_loss");
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 6);
  const std::string second_row = csv.substr(csv.find('\n') + 1);
  CHECK(second_row.substr(0, 2) == "0,");
  CHECK(std::stod(second_row.substr(2)) == r.history[0].accuracy);
  // One line per optimizer step: 8 batches per epoch for 5 epochs.
  const std::string batches = fixtures::read_bytes(f.dir.file("run/batches.jsonl"));
  REQUIRE(std::count(batches.begin(), batches.end(), '\n') == 40);
  const auto first = nlohmann::json::parse(batches.substr(0, batches.find('\n')));
  CHECK(first["step"] == 1);
  CHECK(first["epoch"] == 1);
  CHECK(first["batch"] == 1);
  CHECK(first["learning_rate"].get<double>() == Approx(0.01));
  CHECK(first["loss"].get<double>() > 0.0);
  const auto last = nlohmann::json::parse(batches.substr(batches.rfind('\n', batches.size() - 2) + 1));
  CHECK(last["step"] == 40);
  CHECK(last["epoch"] == 5);
  CHECK(last["batch"] == 8);
}

TEST_CASE("the run folder refuses a second writer and a used folder, and --overwrite clears it", "[train]") {
  Fixture f;
  const std::string dir = f.dir.file("run");
  {
    train::RunFolder holder(dir, train::FolderMode::New);
    CHECK_THAT(fixtures::error_of([&] { train::RunFolder second(dir, train::FolderMode::Overwrite); }),
               Contains("in use by another mnisttrain (process " + std::to_string(::getpid()) + ")"));
  }
  train::train(f.config("run", {{"save_best", {{"monitor", "val_loss"}}}}), {}, quiet);
  REQUIRE(std::filesystem::exists(dir + "/best.bin"));
  // A new run into a used folder is refused before any work, naming the way out.
  CHECK_THAT(fixtures::error_of([&] { train::train(f.config("run"), {}, quiet); }),
             Contains("already holds") && Contains("--overwrite"));
  // Temporary files of a dead writer go; a live one's stay.
  fixtures::write_bytes(dir + "/model.bin.tmp.999999999", "partial");
  const std::string live = dir + "/export.npz.tmp." + std::to_string(::getpid());
  fixtures::write_bytes(live, "being written");
  fixtures::write_bytes(dir + "/notes.txt", "mine");
  train::TrainOptions overwrite;
  overwrite.overwrite = true;
  const train::TrainResult r = train::train(f.config("run"), overwrite, quiet);
  CHECK(r.reason == train::StopReason::Completed);
  CHECK_FALSE(std::filesystem::exists(dir + "/model.bin.tmp.999999999"));
  CHECK(std::filesystem::exists(live));
  CHECK(std::filesystem::exists(dir + "/notes.txt"));
  // The earlier run's best.bin would not match this run's model: it is gone.
  CHECK_FALSE(std::filesystem::exists(dir + "/best.bin"));
  CHECK(std::find(r.files.begin(), r.files.end(), "best.bin") == r.files.end());
}

TEST_CASE("step_cost counts FLOPs and memory as the notes do by hand", "[train]") {
  config::Config cfg = config::default_config();
  const nn::Network net(cfg.model, {28, 28}, 10);
  const train::StepCost cost = train::step_cost(net, cfg.training.optimizer, 128);
  CHECK(cost.forward_flops == 2.0 * (784 * 512 + 512 * 10));
  // dW for both layers, dX only for the second: the first layer's input is the data.
  CHECK(cost.backward_flops == 2.0 * 784 * 512 + 4.0 * 512 * 10);
  CHECK(cost.params == 407050);
  CHECK(cost.moments == 1);  // rmsprop without momentum
  CHECK(cost.param_bytes == 407050u * 4u);
  CHECK(cost.optimizer_bytes == 407050u * 4u);
  CHECK(cost.activation_floats == 2u * (784 + 512 + 10));
  CHECK(cost.activation_bytes == 2u * (784 + 512 + 10) * 128u * 4u);
  cfg.training.optimizer.type = optim::OptimizerType::Adam;
  CHECK(train::step_cost(net, cfg.training.optimizer, 128).optimizer_bytes == 2u * 407050u * 4u);
}

TEST_CASE("training_samples: the first training samples, or random ones when asked or unreadable", "[train]") {
  Fixture f;
  config::Config cfg = f.config("unused");
  const train::TrainingSamples real = train::training_samples(cfg, 3, 1, false);
  CHECK(real.fallback.empty());
  REQUIRE(real.samples.count == 3);
  const data::Dataset train_set = data::load_dataset(f.dir.file("train-images"), f.dir.file("train-labels"), 3);
  CHECK(std::equal(real.samples.images.begin(), real.samples.images.end(), train_set.images.begin()));

  const train::TrainingSamples random = train::training_samples(cfg, 3, 1, true);
  CHECK(random.fallback.empty());
  CHECK(random.samples.images == data::random_dataset(3, 4, 4, 3, 1).images);

  cfg.data.train_labels = f.dir.file("missing-labels");
  const train::TrainingSamples fallback = train::training_samples(cfg, 3, 1, false);
  CHECK_THAT(fallback.fallback, Contains("missing-labels"));
  CHECK(fallback.samples.count == 3);
  CHECK(fallback.samples.rows == 4);  // the shape still comes from the training images' header
}

TEST_CASE("data is read as the config says: with data.transpose every reader gets the images upright", "[train]") {
  fixtures::TempDir dir;
  // Three 2x3 images stored as EMNIST stores them; upright they are 3x2.
  std::vector<std::uint8_t> stored(18);
  for (std::size_t i = 0; i < stored.size(); ++i) stored[i] = static_cast<std::uint8_t>(i);
  data::write_idx(dir.file("images"), data::make_uint8_array({3, 2, 3}, stored));
  data::write_idx(dir.file("labels"), data::make_uint8_array({3}, {0, 1, 0}));
  config::DataConfig as_stored;
  as_stored.num_classes = 2;
  as_stored.train_images = dir.file("images");
  as_stored.train_labels = dir.file("labels");
  config::DataConfig transposed = as_stored;
  transposed.transpose = true;
  const std::vector<std::uint8_t> first_upright{0, 3, 1, 4, 2, 5};

  const data::Dataset plain = train::load_labelled(as_stored, dir.file("images"), dir.file("labels"));
  CHECK(plain.rows == 2);
  CHECK(plain.images == stored);
  CHECK(train::loaded_image_shape(as_stored, dir.file("images")) == std::vector<int>{2, 3});

  const data::Dataset all = train::load_labelled(transposed, dir.file("images"), dir.file("labels"));
  CHECK(all.count == 3);
  CHECK(all.rows == 3);
  CHECK(all.cols == 2);
  CHECK(std::vector<std::uint8_t>(all.image(0), all.image(1)) == first_upright);
  CHECK(std::vector<std::uint8_t>(all.image(2), all.image(3)) == std::vector<std::uint8_t>{12, 15, 13, 16, 14, 17});
  CHECK(all.labels == std::vector<std::uint8_t>{0, 1, 0});
  const data::Dataset first = train::load_first_labelled(transposed, dir.file("images"), dir.file("labels"), 1);
  CHECK(first.count == 1);
  CHECK(first.rows == 3);
  CHECK(first.images == first_upright);
  const data::Dataset unlabelled = train::load_unlabelled(transposed, dir.file("images"));
  CHECK(unlabelled.rows == 3);
  CHECK(unlabelled.images == all.images);
  CHECK(train::loaded_image_shape(transposed, dir.file("images")) == std::vector<int>{3, 2});

  // summary, gradcheck and bench take their samples and input shape the same way.
  config::Config cfg = config::default_config();
  cfg.data = transposed;
  cfg.model.layers.back().units = 2;
  const train::TrainingSamples samples = train::training_samples(cfg, 2, 1, false);
  CHECK(samples.samples.rows == 3);
  CHECK(std::vector<std::uint8_t>(samples.samples.image(0), samples.samples.image(1)) == first_upright);
  CHECK(train::input_shape_for(cfg) == std::vector<int>{3, 2});
}

TEST_CASE("predict scales pixels as training does and returns each image's probabilities", "[train]") {
  Fixture f;
  train::train(f.config("run"), {}, quiet);
  train::SavedModel saved = train::load_model(f.dir.file("run/model.bin"));
  const data::Dataset test = data::load_dataset(f.dir.file("test-images"), f.dir.file("test-labels"), 3);
  const std::vector<train::Prediction> predictions = train::predict(*saved.network, test, "test-images", 5, 4);
  REQUIRE(predictions.size() == 4);
  const train::Evaluation e = train::evaluate(*saved.network, test, nn::Loss::CategoricalCrossentropy, 32);
  for (std::size_t r = 0; r < 4; ++r) {
    CHECK(predictions[r].index == 5 + r);
    REQUIRE(predictions[r].probabilities.size() == 3);
    double sum = 0.0;
    for (float p : predictions[r].probabilities) sum += p;
    CHECK(sum == Approx(1.0).epsilon(1e-5));
    CHECK(predictions[r].predicted == e.predictions[5 + r]);
  }
  CHECK_THAT(fixtures::error_of([&] { train::predict(*saved.network, test, "test-images", 88, 3); }),
             Contains("test-images: --index 88 --count 3 is outside the 90 images"));
  const data::Dataset wide = data::random_dataset(2, 5, 5, 3, 1);
  CHECK_THAT(fixtures::error_of([&] { train::predict(*saved.network, wide, "wide", 0, 1); }),
             Contains("wide: images are 5x5 (25 pixels), the model expects 4x4 (16 pixels)"));
}

TEST_CASE("training starts from the seed's weights and visits every sample once per epoch, in a new order each epoch and seed", "[train]") {
  Fixture f;
  // No dropout, batch size 1 and a learning rate too small to move a weight: every step's loss
  // is the initial network's loss on one sample, so the step losses spell out the visiting order.
  const nlohmann::json layers = nlohmann::json::array({{{"type", "dense"}, {"units", 8}, {"activation", "relu"}},
                                                       {{"type", "dense"}, {"units", 3}, {"activation", "softmax"}}});
  const nlohmann::json training = {{"epochs", 3}, {"batch_size", 1},
                                   {"optimizer", {{"type", "sgd"}, {"learning_rate", 1e-30}}}};
  data::Dataset train_set = data::load_dataset(f.dir.file("train-images"), f.dir.file("train-labels"), 3);
  data::split_validation(train_set, 0.2);
  REQUIRE(train_set.count == 240);

  std::map<std::uint64_t, std::vector<std::vector<std::size_t>>> orders;  // seed -> epoch -> samples
  for (const std::uint64_t seed : {7u, 8u}) {
    nlohmann::json seeded = training;
    seeded["seed"] = seed;
    const config::Config cfg = f.config("order-" + std::to_string(seed), seeded, layers);
    // Each sample's loss under the weights init_params(seed) gives, computed here.
    nn::Network initial(cfg.model, {4, 4}, 3);
    initial.init_params(seed);
    std::vector<double> sample_loss(train_set.count);
    for (std::size_t i = 0; i < train_set.count; ++i) {
      sample_loss[i] = train::evaluate(initial, data::take(train_set, i, 1), cfg.training.loss, 1).loss;
    }
    std::vector<double> sorted = sample_loss;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 1; i < sorted.size(); ++i) REQUIRE(sorted[i] - sorted[i - 1] > 1e-9);  // losses name samples

    StepLosses steps;
    train::train(cfg, {}, steps);
    REQUIRE(steps.epochs.size() == 3);
    for (const std::vector<double>& epoch : steps.epochs) {
      REQUIRE(epoch.size() == train_set.count);
      std::vector<std::size_t> order;
      std::vector<bool> seen(train_set.count, false);
      for (const double loss : epoch) {
        const auto nearest = std::min_element(sample_loss.begin(), sample_loss.end(), [loss](double a, double b) {
          return std::fabs(a - loss) < std::fabs(b - loss);
        });
        const auto sample = static_cast<std::size_t>(nearest - sample_loss.begin());
        // The step's loss is a sample's loss under the seed's initial weights...
        REQUIRE(*nearest == Approx(loss).margin(1e-9));
        // ... and no sample comes twice in an epoch.
        REQUIRE_FALSE(seen[sample]);
        seen[sample] = true;
        order.push_back(sample);
      }
      orders[seed].push_back(order);
    }
    // A new order each epoch.
    CHECK(orders[seed][0] != orders[seed][1]);
    CHECK(orders[seed][1] != orders[seed][2]);
    CHECK(orders[seed][0] != orders[seed][2]);

    // The learning rate leaves the kernels as initialised: the model holds init_params(seed).
    const std::vector<float> trained = train::load_model(f.dir.file("order-" + std::to_string(seed) + "/model.bin")).network->params();
    const nn::ParamTensor& kernel = initial.param_tensors()[0];
    CHECK(std::equal(trained.begin() + static_cast<std::ptrdiff_t>(kernel.offset),
                     trained.begin() + static_cast<std::ptrdiff_t>(kernel.offset + kernel.size),
                     initial.params().begin() + static_cast<std::ptrdiff_t>(kernel.offset)));
  }
  // Another seed, another order for the same epoch.
  CHECK(orders[7][0] != orders[8][0]);
  CHECK(orders[7][1] != orders[8][1]);
}

TEST_CASE("a resume refuses a checkpoint whose arrays do not fit the config or whose cursor is past the data", "[train]") {
  Fixture f;
  std::atomic<bool> stop{false};
  StopAfter listener(3, stop);
  train::TrainOptions options;
  options.stop_requested = &stop;
  const train::TrainResult first = train::train(f.config("cut"), options, listener);
  REQUIRE(first.reason == train::StopReason::Interrupted);
  const std::string path = first.checkpoint_path;
  const io::ModelFile good = io::load_model_file(path);
  train::TrainOptions resume;
  resume.resume_path = path;
  const config::Config cfg = train::load_checkpoint(path).config;

  SECTION("one parameter short") {
    std::vector<io::NamedArray> arrays = good.arrays;
    arrays[0].values.pop_back();
    io::save_model_file(path, good.header, {arrays.begin(), arrays.end()});
    CHECK_THAT(fixtures::error_of([&] { train::train(cfg, resume, quiet); }),
               Contains(path) && Contains("checkpoint holds 162 parameters") && Contains("this config needs 163"));
  }
  SECTION("optimizer moments for another network") {
    std::vector<io::NamedArray> arrays = good.arrays;
    arrays[1].values.resize(arrays[1].values.size() + 2, 0.0f);
    io::save_model_file(path, good.header, {arrays.begin(), arrays.end()});
    CHECK_THAT(fixtures::error_of([&] { train::train(cfg, resume, quiet); }),
               Contains(path) && Contains("328 optimizer values") && Contains("needs 163 and 326"));
  }
  SECTION("a config with another layer width than the arrays") {
    config::Config wider = f.config("cut", {}, nlohmann::json::array({
        {{"type", "dense"}, {"units", 9}, {"activation", "relu"}},
        {{"type", "dropout"}, {"rate", 0.1}},
        {{"type", "dense"}, {"units", 3}, {"activation", "softmax"}}}));
    CHECK_THAT(fixtures::error_of([&] { train::train(wider, resume, quiet); }),
               Contains(path) && Contains("checkpoint holds 163 parameters") && Contains("this config needs 183"));
  }
  SECTION("a batch cursor past the epoch's last batch") {
    nlohmann::json header = good.header;
    header["batch"] = 8;  // an epoch of 240 samples in batches of 32 has batches 0..7
    io::save_model_file(path, header, {good.arrays.begin(), good.arrays.end()});
    CHECK_THAT(fixtures::error_of([&] { train::train(cfg, resume, quiet); }),
               Contains(path) && Contains("resumes at batch 9 of an epoch that now has 8 batches"));
  }
  CHECK_FALSE(std::filesystem::exists(f.dir.file("cut/model.bin")));
}

TEST_CASE("evaluation statistics on hand-made predictions: confusion rows are true labels, precision, recall, F1", "[train]") {
  fixtures::TempDir dir;
  // 1x3 images of 3 classes; the network below predicts the index of the lit pixel. Pairs of
  // (true, predicted), chosen so that the matrix is not symmetric and precision != recall.
  const std::vector<std::pair<int, int>> pairs = {{0, 0}, {1, 0}, {0, 0}, {1, 1}, {0, 1}, {1, 2},
                                                  {2, 2}, {1, 0}, {0, 0}, {1, 1}};
  std::vector<std::uint8_t> images, labels;
  for (const auto& [truth, predicted] : pairs) {
    for (int p = 0; p < 3; ++p) images.push_back(p == predicted ? 255 : 0);
    labels.push_back(static_cast<std::uint8_t>(truth));
  }
  const auto n = static_cast<std::uint32_t>(pairs.size());
  data::write_idx(dir.file("images"), data::make_uint8_array({n, 1, 3}, images));
  data::write_idx(dir.file("labels"), data::make_uint8_array({n}, labels));
  const data::Dataset set = data::load_dataset(dir.file("images"), dir.file("labels"), 3);

  const config::Config cfg = config::parse_config(
      {{"data", {{"train_images", "images"}, {"train_labels", "labels"}, {"test_images", "images"},
                 {"test_labels", "labels"}, {"num_classes", 3}}},
       {"model", {{"layers", {{{"type", "dense"}, {"units", 3}, {"activation", "softmax"}}}}}},
       {"output", "run"}},
      "eval.json", dir.path().string());
  nn::Network net(cfg.model, {1, 3}, 3);
  // Kernel 10 * identity (the same matrix in either storage order), bias 0: logit p is 10 * pixel p.
  std::vector<float>& w = net.params();
  std::fill(w.begin(), w.end(), 0.0f);
  const nn::ParamTensor& kernel = net.param_tensors()[0];
  REQUIRE(kernel.size == 9);
  for (std::size_t i = 0; i < 3; ++i) w[kernel.offset + i * 3 + i] = 10.0f;

  const train::Evaluation e = train::evaluate(net, set, cfg.training.loss, 4);
  REQUIRE(e.count == 10);
  for (std::size_t i = 0; i < pairs.size(); ++i) CHECK(e.predictions[i] == pairs[i].second);
  //            predicted 0  1  2
  // true 0:              3  1  0    (support 4)
  // true 1:              2  2  1    (support 5)
  // true 2:              0  0  1    (support 1)
  CHECK(e.confusion == std::vector<std::size_t>{3, 1, 0, 2, 2, 1, 0, 0, 1});
  CHECK(e.correct == 6);
  CHECK(e.accuracy == 0.6);
  // Right answers cost -log(e^10 / (e^10 + 2)), wrong ones -log(1 / (e^10 + 2)).
  const double z = std::exp(10.0) + 2.0;
  CHECK(e.loss == Approx((6 * std::log(z / std::exp(10.0)) + 4 * std::log(z)) / 10).epsilon(1e-5));

  const std::vector<train::ClassScores> scores = e.class_scores();
  REQUIRE(scores.size() == 3);
  // precision = hits / column sum (predicted as c), recall = hits / row sum (truly c).
  const double precision[] = {3.0 / 5, 2.0 / 3, 1.0 / 2};
  const double recall[] = {3.0 / 4, 2.0 / 5, 1.0 / 1};
  const std::size_t support[] = {4, 5, 1};
  for (std::size_t c = 0; c < 3; ++c) {
    INFO("class " << c);
    CHECK(scores[c].precision == Approx(precision[c]));
    CHECK(scores[c].recall == Approx(recall[c]));
    CHECK(scores[c].f1 == Approx(2 * precision[c] * recall[c] / (precision[c] + recall[c])));
    CHECK(scores[c].support == support[c]);
  }
  const std::vector<train::ConfusedPair> confused = e.most_confused(2);
  REQUIRE(confused.size() == 2);
  CHECK(confused[0].truth == 1);
  CHECK(confused[0].predicted == 0);
  CHECK(confused[0].count == 2);
  CHECK(confused[1].count == 1);
}
