// The report: nice ticks and axis ranges, escaping, the SVG figures (points per value, NaN and
// empty data, heat-map counts, colour maps, image paths), reading run folders (optional
// batches.jsonl, bad lines named), a whole report of a real small run with its
// counts checked, a set stored transposed read upright, class names in the confusion figures,
// and gradient descent on x^2 step by step.
#include "descent/descent.h"
#include "report/descent_page.h"
#include "report/report.h"
#include "report/run_files.h"
#include "report/scale.h"
#include "report/sections.h"
#include "report/svg.h"
#include "train/trainer.h"
#include "fixtures.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <regex>

using namespace mnisttrain;
using Catch::Matchers::Contains;

namespace {

std::size_t count_of(const std::string& text, const std::string& fragment) {
  std::size_t n = 0;
  for (std::size_t at = text.find(fragment); at != std::string::npos; at = text.find(fragment, at + fragment.size())) ++n;
  return n;
}

// Sum of every data-count="N" attribute: the heat map's cells.
std::size_t sum_of_counts(const std::string& html) {
  const std::regex pattern("data-count=\"([0-9]+)\"");
  std::size_t sum = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), pattern); it != std::sregex_iterator(); ++it) {
    sum += std::stoul((*it)[1]);
  }
  return sum;
}

}  // namespace

TEST_CASE("nice steps are 1, 2 or 5 times a power of ten", "[report]") {
  CHECK(report::nice_step(1.0, 5) == Approx(0.2));
  CHECK(report::nice_step(10.0, 5) == Approx(2.0));
  CHECK(report::nice_step(7.0, 5) == Approx(2.0));
  CHECK(report::nice_step(0.3, 3) == Approx(0.1));
  CHECK(report::nice_step(0.85, 5) == Approx(0.2));
  CHECK(report::nice_step(450.0, 6) == Approx(100.0));
  CHECK(report::nice_step(0.0, 5) == 1.0);
  CHECK(report::nice_step(NAN, 5) == 1.0);
}

TEST_CASE("axes start and end on ticks and survive single values and NaN", "[report]") {
  const report::Axis a = report::nice_axis(0.12, 0.97, 5);
  CHECK(a.min == Approx(0.0));
  CHECK(a.max == Approx(1.0));
  CHECK(a.step == Approx(0.2));
  REQUIRE(a.ticks.size() == 6);
  CHECK(a.ticks[3] == Approx(0.6));

  const report::Axis wide = report::nice_axis(7.0, -3.0, 5);  // bounds in either order
  CHECK(wide.min == Approx(-4.0));
  CHECK(wide.max == Approx(8.0));
  CHECK(wide.ticks.size() == 7);

  const report::Axis single = report::nice_axis(5.0, 5.0, 5);
  CHECK(single.min < 5.0);
  CHECK(single.max > 5.0);

  const report::Axis broken = report::nice_axis(NAN, 1.0, 5);
  CHECK(broken.min == 0.0);
  CHECK(broken.max == Approx(1.0));
}

TEST_CASE("linear scales map ends to ends, y downwards", "[report]") {
  const report::LinearScale y{0.0, 1.0, 250.0, 30.0};
  CHECK(y(0.0) == Approx(250.0));
  CHECK(y(1.0) == Approx(30.0));
  CHECK(y(0.5) == Approx(140.0));
  const report::LinearScale flat{2.0, 2.0, 0.0, 100.0};
  CHECK(flat(2.0) == Approx(50.0));
}

TEST_CASE("tick labels carry the step's decimals and no negative zero", "[report]") {
  CHECK(report::format_tick(0.25, 0.05) == "0.25");
  CHECK(report::format_tick(0.4, 0.2) == "0.4");
  CHECK(report::format_tick(2.0, 1.0) == "2");
  CHECK(report::format_tick(1500.0, 500.0) == "1500");
  CHECK(report::format_tick(-1e-17, 0.1) == "0.0");
}

TEST_CASE("text is escaped for elements and attributes", "[report]") {
  CHECK(report::escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  CHECK(report::escape("plain") == "plain");
  report::LineChart chart{"<script>alert(1)</script>", "epoch", "loss", {{"a\"b<c", {1, 2}, {0.5, 0.25}}}, true};
  const std::string svg = report::line_chart(chart);
  CHECK_FALSE(svg.find("<script>") != std::string::npos);
  CHECK_THAT(svg, Contains("&lt;script&gt;"));
  CHECK_THAT(svg, Contains("data-series=\"a&quot;b&lt;c\""));
}

TEST_CASE("a line chart draws a point per finite value and breaks the line at NaN", "[report]") {
  report::LineChart chart{"Loss", "epoch", "loss", {}, true};
  chart.series.push_back({"training loss", {1, 2, 3, 4, 5}, {0.9, 0.5, NAN, 0.3, 0.2}});
  chart.series.push_back({"per batch", {0.5, 1, 1.5}, {1.0, 0.8, 0.7}, false});
  const std::string svg = report::line_chart(chart);
  CHECK(count_of(svg, "<circle class=\"pt\" data-series=\"training loss\"") == 4);
  CHECK(count_of(svg, "<circle") == 4);  // the per-batch series has no markers
  CHECK(count_of(svg, "<polyline class=\"line\"") == 3);  // 1-2, 4-5 and the batches
  CHECK_THAT(svg, Contains("<title>training loss, epoch 4: 0.3</title>"));
  CHECK(count_of(svg, "class=\"legend\"") == 2);
  // The y axis runs from 0.2 to 1.0 on nice ticks.
  CHECK_THAT(svg, Contains(">0.2</text>"));
  CHECK_THAT(svg, Contains(">1.0</text>"));
}

TEST_CASE("a chart without finite data says so", "[report]") {
  report::LineChart empty{"Loss", "epoch", "loss", {{"training loss", {}, {}}}, true};
  CHECK_THAT(report::line_chart(empty), Contains("no data to draw"));
  report::LineChart nan{"Loss", "epoch", "loss", {{"training loss", {1, 2}, {NAN, NAN}}}, true};
  const std::string svg = report::line_chart(nan);
  CHECK_THAT(svg, Contains("no data to draw"));
  CHECK(count_of(svg, "<circle") == 0);
}

TEST_CASE("one epoch gets whole-number ticks around it", "[report]") {
  report::LineChart one{"Loss", "epoch", "loss", {{"training loss", {1}, {0.3}}}, true};
  const std::string svg = report::line_chart(one);
  CHECK(count_of(svg, "<circle") == 1);
  CHECK_THAT(svg, Contains(">1</text>"));
  CHECK_FALSE(svg.find(">0.5</text>") != std::string::npos);
}

TEST_CASE("a heat map has one cell per count and writes the counts in", "[report]") {
  report::HeatMap map{"confusion", "true", "predicted", 2, 3, {5, 0, 1, 2, 7, 0}};
  const std::string svg = report::heat_map(map);
  CHECK(count_of(svg, "class=\"cell\"") == 6);
  CHECK(sum_of_counts(svg) == 15);
  CHECK_THAT(svg, Contains("data-row=\"1\" data-column=\"1\" data-count=\"7\""));
  CHECK_THAT(svg, Contains("<title>true 0, predicted 2: 1</title>"));
  // The largest count is the darkest cell; zero is white.
  CHECK_THAT(svg, Contains("data-count=\"7\" x=\"78\" y=\"78\" width=\"33\" height=\"33\" fill=\"#08306b\""));
  CHECK_THAT(svg, Contains("data-count=\"0\" x=\"78\" y=\"44\" width=\"33\" height=\"33\" fill=\"#ffffff\""));
}

TEST_CASE("colour maps: grey from white to black, diverging blue-white-red around zero", "[report]") {
  using report::ColourMap;
  CHECK(report::colour(0.0, ColourMap::Grey) == "#ffffff");
  CHECK(report::colour(1.0, ColourMap::Grey) == "#000000");
  CHECK(report::colour(2.0, ColourMap::Grey) == "#000000");  // clamped
  CHECK(report::colour(0.0, ColourMap::Diverging) == "#ffffff");
  CHECK(report::colour(-1.0, ColourMap::Diverging) == "#2166ac");
  CHECK(report::colour(1.0, ColourMap::Diverging) == "#b2182b");
  CHECK(report::colour(NAN, ColourMap::Diverging) == "#ffffff");
}

TEST_CASE("image tiles merge runs of one colour and draw nothing for white", "[report]") {
  std::vector<float> image(4 * 5, 0.0f);
  report::TileStyle style{40, 32, "tile", "a <tile>"};
  CHECK(count_of(report::image_tile(image.data(), 4, 5, 1.0, report::ColourMap::Grey, style), "<path") == 0);
  image[2 * 5 + 1] = image[2 * 5 + 2] = image[2 * 5 + 3] = 1.0f;  // row 2, columns 1..3 black
  image[0] = -0.5f;                                               // below the grey map: white
  const std::string svg = report::image_tile(image.data(), 4, 5, 1.0, report::ColourMap::Grey, style);
  CHECK(count_of(svg, "<path") == 1);
  CHECK_THAT(svg, Contains("<path fill=\"#000000\" d=\"M1 2h3v1h-3z\"/>"));
  CHECK_THAT(svg, Contains("width=\"40\" height=\"32\" viewBox=\"0 0 5 4\""));
  CHECK_THAT(svg, Contains("<title>a &lt;tile&gt;</title>"));
  // Diverging: -scale is full blue, +scale full red, divided by the scale given.
  const std::vector<float> weights{-0.2f, 0.2f};
  const std::string w = report::image_tile(weights.data(), 1, 2, 0.2, report::ColourMap::Diverging, style);
  CHECK_THAT(w, Contains("<path fill=\"#2166ac\" d=\"M0 0h1v1h-1z\"/>"));
  CHECK_THAT(w, Contains("<path fill=\"#b2182b\" d=\"M1 0h1v1h-1z\"/>"));
}

TEST_CASE("run folders: metrics with and without validation, optional batches.jsonl, bad lines named", "[report]") {
  fixtures::TempDir dir;
  fixtures::write_bytes(dir.file("summary.json"), R"({"config": {}, "test_accuracy": 0.9})");
  fixtures::write_bytes(dir.file("metrics.jsonl"),
                        "{\"epoch\":1,\"loss\":0.5,\"accuracy\":0.8,\"val_loss\":0.6,\"val_accuracy\":0.7,"
                        "\"learning_rate\":0.001,\"seconds\":1,\"samples_per_second\":100}\n"
                        "{\"epoch\":2,\"loss\":0.25,\"accuracy\":0.9,\"learning_rate\":0.001,\"seconds\":1,"
                        "\"samples_per_second\":100}\n");
  report::RunFiles run = report::read_run(dir.path().string());
  REQUIRE(run.epochs.size() == 2);
  CHECK(run.epochs[0].has_validation);
  CHECK(run.epochs[0].val_accuracy == 0.7);
  CHECK_FALSE(run.epochs[1].has_validation);
  CHECK(run.epochs[1].loss == 0.25);
  CHECK(run.batches.empty());

  fixtures::write_bytes(dir.file("batches.jsonl"),
                        "{\"step\":1,\"epoch\":1,\"batch\":1,\"loss\":2.3,\"accuracy\":0.1,\"learning_rate\":0.001}\n"
                        "{\"step\":2,\"epoch\":1,\"batch\":2,\"loss\":2.1,\"accuracy\":0.2,\"learning_rate\":0.001}\n");
  run = report::read_run(dir.path().string());
  REQUIRE(run.batches.size() == 2);
  CHECK(run.batches[1].step == 2);
  CHECK(run.batches[1].loss == 2.1);

  fixtures::write_bytes(dir.file("batches.jsonl"), "{\"step\":1,\"epoch\":1,\"batch\":1,\"loss\":2.3}\n{oops\n");
  CHECK_THAT(fixtures::error_of([&] { report::read_run(dir.path().string()); }),
             Contains("batches.jsonl: line 2: not a JSON object"));
  fixtures::write_bytes(dir.file("metrics.jsonl"), "{\"epoch\":1,\"loss\":\"low\"}\n");
  CHECK_THAT(fixtures::error_of([&] { report::read_run(dir.path().string()); }),
             Contains("metrics.jsonl: line 1: ") && Contains("number"));
  CHECK_THAT(fixtures::error_of([&] { report::read_run(dir.file("missing")); }), Contains("not a run folder"));
  CHECK(report::run_name("runs/adam/") == "adam");
  CHECK(report::run_name("runs/adam") == "adam");
}

TEST_CASE("the report of a real small run holds every figure with the right counts", "[report]") {
  fixtures::TempDir dir;
  fixtures::write_synthetic(dir, "train", 300, 1);
  fixtures::write_synthetic(dir, "test", 90, 2);
  const nlohmann::json doc = {
      {"data", {{"train_images", "train-images"}, {"train_labels", "train-labels"}, {"test_images", "test-images"},
                {"test_labels", "test-labels"}, {"num_classes", 3}, {"validation_split", 0.2}}},
      {"model", {{"layers", {{{"type", "dense"}, {"units", 8}, {"activation", "relu"}},
                             {{"type", "dense"}, {"units", 3}, {"activation", "softmax"}}}}}},
      {"training", {{"optimizer", {{"type", "sgd"}, {"learning_rate", 0.05}}}, {"epochs", 3}, {"batch_size", 32},
                    {"seed", 7}, {"threads", 1}}},
      {"output", dir.file("run")}};
  train::TrainListener quiet;
  const train::TrainResult result = train::train(config::parse_config(doc, "test.json", dir.path().string()), {}, quiet);
  const std::string html = report::run_report(dir.file("run"));

  for (const char* series : {"training loss", "validation loss", "training accuracy", "validation accuracy"}) {
    CHECK(count_of(html, "<circle class=\"pt\" data-series=\"" + std::string(series) + "\"") == 3);
  }
  CHECK(count_of(html, "class=\"cell\"") == 9);
  CHECK(sum_of_counts(html) == 90);
  CHECK(count_of(html, "<svg class=\"weight-tile\"") == 8);  // all 8 units of the first layer
  const std::size_t wrong = result.test.count - result.test.correct;
  CHECK(count_of(html, "<figure class=\"mistake\">") == std::min<std::size_t>(wrong, 24));
  CHECK(count_of(html, "<figure class=\"sample\">") == 6);
  CHECK(count_of(html, "<td class=\"hot\">1</td>") == 6);  // one 1 per one-hot row
  CHECK_THAT(html, Contains("(16 + 1) x 8: inputs plus one bias, times units, then relu"));
  CHECK_THAT(html, Contains("<title>training loss per batch</title>"));  // from batches.jsonl
  CHECK(count_of(html, "stroke-dasharray=\"5 3\" points=") == 2);       // the validation lines
  // Self-contained: nothing fetched from anywhere.
  CHECK(count_of(html, "src=") == 0);
  CHECK(count_of(html, "<link") == 0);
  CHECK(count_of(html, "<script") == 0);

  // Two runs compared: a line per run on every chart, a column per run in the table.
  nlohmann::json second = doc;
  second["training"]["optimizer"] = {{"type", "adam"}, {"learning_rate", 0.01}};
  second["output"] = dir.file("adam");
  train::train(config::parse_config(second, "test.json", dir.path().string()), {}, quiet);
  const std::string page = report::comparison_report({dir.file("run"), dir.file("adam")});
  CHECK(count_of(page, "<circle class=\"pt\" data-series=\"run\"") == 4 * 3);
  CHECK(count_of(page, "<circle class=\"pt\" data-series=\"adam\"") == 4 * 3);
  CHECK_THAT(page, Contains("<th>run</th><th>adam</th>"));
  CHECK_THAT(page, Contains("<td>sgd, learning rate 0.05</td><td>adam, learning rate 0.01</td>"));

  // Written atomically where asked, and a missing model only drops its figures.
  std::filesystem::remove(dir.file("run/model.bin"));
  report::write_report({dir.file("run")}, dir.file("out.html"));
  const std::string without_model = fixtures::read_bytes(dir.file("out.html"));
  CHECK_THAT(without_model, Contains("No figures from the model"));
  CHECK(count_of(without_model, "class=\"cell\"") == 0);
  CHECK(count_of(without_model, "<circle class=\"pt\" data-series=\"training loss\"") == 3);
}

TEST_CASE("the report reads a set stored transposed upright, as training did", "[report]") {
  fixtures::TempDir dir;
  fixtures::write_upright_and_transposed(dir);
  // Two runs on the same images: as written, and stored transposed with data.transpose.
  auto run = [&](const std::string& name, const std::string& prefix, bool transpose) {
    const nlohmann::json doc = {
        {"data", {{"train_images", prefix + "train-images"}, {"train_labels", "train-labels"},
                  {"test_images", prefix + "test-images"}, {"test_labels", "test-labels"}, {"num_classes", 3},
                  {"transpose", transpose}}},
        {"model", {{"layers", {{{"type", "dense"}, {"units", 3}, {"activation", "softmax"}}}}}},
        {"training", {{"optimizer", {{"type", "sgd"}, {"learning_rate", 0.01}}}, {"epochs", 1}, {"threads", 1}}},
        {"output", dir.file(name)}};
    train::TrainListener quiet;
    train::train(config::parse_config(doc, "test.json", dir.path().string()), {}, quiet);
    return report::run_report(dir.file(name));
  };
  const std::string upright = run("upright", "", false);
  const std::string stored = run("stored", "t-", true);
  // The test-set figures and the training digits, from <section id="..."> to its end.
  for (const char* id : {"confusion", "mistakes", "data"}) {
    INFO(id);
    auto section = [&](const std::string& html) {
      const std::size_t start = html.find("<section id=\"" + std::string(id) + "\">");
      REQUIRE(start != std::string::npos);
      return html.substr(start, html.find("</section>", start) - start);
    };
    CHECK(section(stored) == section(upright));
  }
}

TEST_CASE("the confusion figures name the classes when the config does, and show indices otherwise", "[report]") {
  // Two 1x1 test images, both taken for the other class.
  train::Evaluation e;
  e.count = 2;
  e.num_classes = 2;
  e.confusion = {0, 1, 1, 0};
  e.predictions = {1, 0};
  e.outputs = {0.1f, 0.9f, 0.8f, 0.2f};
  data::Dataset test;
  test.count = 2;
  test.rows = 1;
  test.cols = 1;
  test.num_classes = 2;
  test.images = {0, 255};
  test.labels = {0, 1};
  const std::vector<std::string> names{"cat", "dog & co"};

  const std::string named = report::confusion_section(e, names);
  CHECK_THAT(named, Contains("<tr><td>0 cat</td>") && Contains("<tr><td>1 dog &amp; co</td>"));
  CHECK_THAT(named, Contains("Most confused: 0 cat taken for 1 dog &amp; co (1x), 1 dog &amp; co taken for 0 cat (1x)."));
  const std::string named_mistakes = report::mistakes_section(e, test, names);
  CHECK_THAT(named_mistakes, Contains("<figcaption>true 0 cat, said 1 dog &amp; co (90.0%)</figcaption>"));
  CHECK_THAT(named_mistakes, Contains("<figcaption>true 1 dog &amp; co, said 0 cat (80.0%)</figcaption>"));

  const std::string plain = report::confusion_section(e, {});
  CHECK_THAT(plain, Contains("<tr><td>0</td>") && Contains("<tr><td>1</td>"));
  CHECK_THAT(plain, Contains("Most confused: 0 taken for 1 (1x), 1 taken for 0 (1x)."));
  CHECK_THAT(report::mistakes_section(e, test, {}), Contains("<figcaption>true 0, said 1 (90.0%)</figcaption>"));
}

TEST_CASE("gradient descent on x^2 follows x <- x - eta * f'(x)", "[report][descent]") {
  const descent::Function& square = descent::function_named("x^2");
  CHECK(descent::central_difference(square.f, 2.0) == Approx(4.0).epsilon(1e-9));
  CHECK(descent::central_difference(descent::function_named("x^4").f, 1.0) == Approx(4.0).epsilon(1e-5));

  const descent::Path fine = descent::descend(square, 2.0, 0.1, 3);
  REQUIRE(fine.xs.size() == 4);
  CHECK(fine.xs[1] == Approx(1.6));  // 2 - 0.1 * 4
  CHECK(fine.xs[3] == Approx(2.0 * 0.8 * 0.8 * 0.8));

  const descent::Path slow = descent::descend(square, 2.0, 0.01, 1000);
  CHECK(slow.xs.size() == 1001);
  CHECK(slow.xs.back() == Approx(2.0 * std::pow(0.98, 1000)).epsilon(1e-6));
  const descent::Path oscillating = descent::descend(square, 2.0, 0.9, 2);
  CHECK(oscillating.xs[1] == Approx(-1.6));  // overshoots to the other side
  const descent::Path away = descent::descend(square, 2.0, 1.01, 100);
  CHECK(std::fabs(away.xs.back()) > 2.0 * std::pow(1.019, 100));
  CHECK_FALSE(away.diverged);
  const descent::Path off = descent::descend(descent::function_named("x^4"), 2.0, 1.01, 1000);
  CHECK(off.diverged);
  CHECK(off.xs.size() < 1001);

  CHECK_THAT(fixtures::error_of([] { descent::function_named("x^3"); }),
             Contains("unknown function \"x^3\"; known: x^2, x^4, (x-1)^2"));

  const std::string page = report::descent_page(square, 2.0, 3, {fine, oscillating});
  CHECK(count_of(page, "data-series=\"visited x (step by step)\"") == 4 + 3);
  CHECK_THAT(page, Contains("learning rate 0.1"));
  CHECK_THAT(page, Contains("learning rate 0.9"));
}
