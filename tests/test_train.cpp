// The training loop on a small synthetic data set written to IDX files: it learns, it is
// deterministic to the byte, a resumed run (after an epoch or mid-epoch) ends with the same
// model bytes as an uninterrupted one, NaN stops with a clear error and no model, early
// stopping and best-model saving follow Keras's rules, and the run folder holds what it should.
#include "config/config.h"
#include "data/dataset.h"
#include "train/checkpoint.h"
#include "train/describe.h"
#include "train/predict.h"
#include "train/run_folder.h"
#include "train/saved_model.h"
#include "train/trainer.h"
#include "alloc_counter.h"
#include "fixtures.h"

#include <algorithm>
#include <filesystem>
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
                        nlohmann::json layers = nullptr) const {
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

// Records the process's allocation count at the end of every batch.
class AllocationProbe : public train::TrainListener {
 public:
  void batch_end(std::size_t batch, std::size_t batches, double, double) override {
    if (epoch_ == 2) counts_.push_back({batch, batches, fixtures::allocations()});
  }
  void epoch_end(const train::EpochMetrics&) override { ++epoch_; }
  struct Sample {
    std::size_t batch, batches, allocations;
  };
  std::vector<Sample> counts_;

 private:
  int epoch_ = 1;
};

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
  // The saved model reproduces the test accuracy.
  train::SavedModel saved = train::load_model(f.dir.file("run/model.bin"));
  CHECK(saved.network->param_count() == r.param_count);
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
  auto strip_time = [](const std::string& text) {
    std::string out;
    std::size_t start = 0;
    for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
      auto j = nlohmann::json::parse(text.substr(start, end - start));
      j.erase("seconds");
      j.erase("samples_per_second");
      out += j.dump() + "\n";
    }
    return out;
  };
  const std::string metrics = strip_time(fixtures::read_bytes(f.dir.file("run/metrics.jsonl")));
  CHECK(std::count(metrics.begin(), metrics.end(), '\n') == 5);
  CHECK(metrics == strip_time(fixtures::read_bytes(f.dir.file("first/metrics.jsonl"))));
  // A different seed trains a different model.
  train::train(f.config("c", {{"seed", 8}}), {}, quiet);
  CHECK(train::load_model(f.dir.file("c/model.bin")).network->params() !=
        train::load_model(f.dir.file("first/model.bin")).network->params());
}

TEST_CASE("the thread count changes no bit of the model, on the dense and the sparse first layer", "[train]") {
  // Every layer kind, wide enough (48 units) that 2 and 3 threads split layers by units.
  const nlohmann::json layers = nlohmann::json::array({
      {{"type", "flatten"}},
      {{"type", "dense"}, {"units", 48}, {"activation", "relu"}},
      {{"type", "dropout"}, {"rate", 0.2}},
      {{"type", "dense"}, {"units", 48}, {"use_bias", false}, {"l2", 0.001}},
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

TEST_CASE("a run resumed from its checkpoint ends with the same model bytes", "[train]") {
  Fixture f;
  train::train(f.config("full"), {}, quiet);
  const std::string full = fixtures::read_bytes(f.dir.file("full/model.bin"));

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

TEST_CASE("early stopping follows patience and restores the best weights", "[train]") {
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

TEST_CASE("the batch loop allocates nothing", "[train]") {
  Fixture f;
  AllocationProbe probe;
  probe.counts_.reserve(64);  // the probe's own storage must not count
  train::train(f.config("alloc"), {}, probe);
  // Second epoch: 8 batches. Between the end of its first batch and the end of its last, the
  // loop ran forward, loss, backward and the optimizer step 7 times.
  REQUIRE(probe.counts_.size() == 8);
  CHECK(probe.counts_.back().allocations == probe.counts_.front().allocations);
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
  const std::string metrics = fixtures::read_bytes(f.dir.file("restore/metrics.jsonl"));
  std::vector<double> val_loss;
  std::size_t start = 0;
  for (std::size_t end; (end = metrics.find('\n', start)) != std::string::npos; start = end + 1) {
    val_loss.push_back(nlohmann::json::parse(metrics.substr(start, end - start))["val_loss"].get<double>());
  }
  INFO("val_loss per epoch: " << nlohmann::json(val_loss).dump());
  REQUIRE(std::min_element(val_loss.begin(), val_loss.end()) != val_loss.end() - 1);
  // best.bin holds the best epoch's weights (same monitor, min_delta 0): model.bin must too.
  CHECK(train::load_model(f.dir.file("restore/model.bin")).network->params() ==
        train::load_model(f.dir.file("restore/best.bin")).network->params());
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
             Contains("wide: images have 25 pixels, the model expects 16"));
}
