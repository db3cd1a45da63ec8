// Figures computed from the model and the data: confusion matrix, first-layer weights, the
// most confident mistakes and training digits with their one-hot labels; see sections.h.
#include "report/html.h"
#include "report/sections.h"
#include "report/svg.h"
#include "text/format.h"

#include <algorithm>
#include <cmath>

namespace mnisttrain::report {

namespace {

constexpr std::size_t kWeightTiles = 36;
constexpr std::size_t kMistakes = 24;

std::string figure(const std::string& svg, const std::string& caption, const std::string& css_class) {
  return "<figure class=\"" + css_class + "\">" + svg + "<figcaption>" + escape(caption) + "</figcaption></figure>";
}

const nn::Layer* first_dense(const nn::Network& network) {
  for (const nn::Layer& layer : network.layers()) {
    if (layer.spec.type == nn::LayerType::Dense) return &layer;
  }
  return nullptr;
}

}  // namespace

std::string confusion_section(const train::Evaluation& e, const std::vector<std::string>& class_names) {
  const auto C = static_cast<std::size_t>(e.num_classes);
  HeatMap map{"confusion matrix", "true label", "predicted label", C, C, e.confusion};
  std::string body = paragraph("The model re-evaluated on the test set it recorded: " + std::to_string(e.correct) +
                               " of " + std::to_string(e.count) + " right (accuracy " + fixed(e.accuracy, 4) +
                               "). Row = true digit, column = the network's answer; the diagonal is correct, "
                               "everything else is a mistake (colours on a log scale).");
  std::vector<std::vector<std::string>> rows;
  const auto scores = e.class_scores();
  for (std::size_t c = 0; c < scores.size(); ++c) {
    rows.push_back({text::class_label(c, class_names), fixed(scores[c].precision, 4), fixed(scores[c].recall, 4),
                    fixed(scores[c].f1, 4), std::to_string(scores[c].support)});
  }
  body += "<div class=\"row\">" + heat_map(map) +
          table({"class", "precision", "recall", "F1", "support"}, rows, "class-scores") + "</div>";
  std::string confused;
  for (const auto& p : e.most_confused(5)) {
    confused += (confused.empty() ? "" : ", ") + text::class_label(static_cast<std::size_t>(p.truth), class_names) +
                " taken for " + text::class_label(static_cast<std::size_t>(p.predicted), class_names) + " (" +
                std::to_string(p.count) + "x)";
  }
  body += paragraph("Precision: of the images called c, the share that are c. Recall: of the c images, the share "
                    "found. F1: their harmonic mean. Most confused: " + (confused.empty() ? "none" : confused) + ".");
  return body;
}

std::string weights_section(const nn::Network& network) {
  const nn::Layer* layer = first_dense(network);
  const std::vector<int>& shape = network.input_shape();
  if (!layer || shape.size() != 2 || layer->inputs != network.input_features()) {
    return paragraph("The first dense layer does not read the image directly, so its weights are not images.", "note");
  }
  const std::size_t units = std::min(kWeightTiles, layer->outputs);
  std::string tiles;
  std::vector<float> unit_weights(layer->inputs);
  for (std::size_t u = 0; u < units; ++u) {
    // The kernel is (inputs, outputs) row-major: unit u's weights are column u.
    float largest = 0.0f;
    for (std::size_t i = 0; i < layer->inputs; ++i) {
      unit_weights[i] = network.params()[layer->weight_offset + i * layer->outputs + u];
      largest = std::max(largest, std::fabs(unit_weights[i]));
    }
    const std::string hover = "unit " + std::to_string(u) + ": largest |weight| " + number(largest, 3);
    tiles += image_tile(unit_weights.data(), shape[0], shape[1], largest, ColourMap::Diverging,
                        {64, 64, "weight-tile", hover});
  }
  return paragraph("Each tile is one unit of " + layer->name + ": its " + std::to_string(layer->inputs) +
                   " input weights put back in " + std::to_string(shape[0]) + "x" + std::to_string(shape[1]) +
                   " image order. Red pixels push the unit up when ink is there, blue pixels push it down, white "
                   "is zero (each tile scaled to its own largest weight). First " + std::to_string(units) + " of " +
                   std::to_string(layer->outputs) + " units.") +
         "<div class=\"tiles\">" + tiles + "</div>";
}

std::string mistakes_section(const train::Evaluation& e, const data::Dataset& test,
                             const std::vector<std::string>& class_names) {
  const std::vector<train::Mistake> wrong = e.most_confident_mistakes(test.labels, kMistakes);
  std::string grid;
  for (const train::Mistake& m : wrong) {
    const std::string caption = "true " + text::class_label(static_cast<std::size_t>(m.truth), class_names) +
                                ", said " + text::class_label(static_cast<std::size_t>(m.predicted), class_names) +
                                " (" + fixed(100.0 * m.confidence, 1) + "%)";
    grid += figure(digit_tile(test.image(m.index), test.rows, test.cols,
                              {84, 84, "digit", "test image " + std::to_string(m.index)}),
                   caption, "mistake");
  }
  if (wrong.empty()) return paragraph("No test image was misclassified.", "note");
  return paragraph("The test images the network got wrong while being most sure of its answer (the percentage is "
                   "its output for the class it chose). Some are hard even for people; some show what it has not "
                   "learned.") +
         "<div class=\"mistakes\">" + grid + "</div>";
}

std::string data_section(const data::Dataset& train) {
  const std::size_t shown = std::min(kDigitsShown, train.count);
  const auto C = static_cast<std::size_t>(train.num_classes);
  std::string rows;
  for (std::size_t i = 0; i < shown; ++i) {
    std::string onehot = "<table class=\"onehot\"><tr>";
    for (std::size_t c = 0; c < C; ++c) onehot += "<td>" + std::to_string(c) + "</td>";
    onehot += "</tr><tr>";
    for (std::size_t c = 0; c < C; ++c) onehot += c == train.labels[i] ? "<td class=\"hot\">1</td>" : "<td>0</td>";
    onehot += "</tr></table>";
    rows += "<div class=\"row digit-row\">" +
            figure(digit_tile(train.image(i), train.rows, train.cols, {56, 56, "digit", "training image " + std::to_string(i)}),
                   "image " + std::to_string(i) + ", label " + std::to_string(train.labels[i]), "sample") +
            onehot + "</div>";
  }
  std::string body = paragraph("The first training images as the network reads them (uint8 pixels, 0 = white, 255 = black) and the "
                               "one-hot vector each label becomes: a " + std::to_string(C) +
                               "-long row of zeros with a 1 at the label's position, which the output layer's " +
                               std::to_string(C) + " units are trained to reproduce.") +
                     "<div class=\"row\">" + rows + "</div>";
  if (shown == 0) return body;
  const std::size_t features = train.features();
  std::vector<float> row_of_pixels(features);
  std::transform(train.image(0), train.image(0) + features, row_of_pixels.begin(), [](std::uint8_t p) { return p / 255.0f; });
  const int strip_width = static_cast<int>(std::min<std::size_t>(features, 980));
  body += paragraph("The reshape: the " + std::to_string(train.rows) + "x" + std::to_string(train.cols) +
                    " image becomes one row of " + std::to_string(features) + " numbers, pixel row after pixel row "
                    "(x[0..." + std::to_string(train.cols - 1) + "] is the top row), each divided by 255.");
  body += "<div class=\"row reshape\">" +
          figure(digit_tile(train.image(0), train.rows, train.cols, {112, 112, "digit", "training image 0"}),
                 std::to_string(train.rows) + " x " + std::to_string(train.cols), "reshape-from") +
          "<div style=\"align-self:center;font-size:28px\">&#8594;</div>" +
          figure(image_tile(row_of_pixels.data(), 1, static_cast<int>(features), 1.0, ColourMap::Grey,
                            {strip_width, 24, "strip", "the same pixels as one row"}),
                 "(" + std::to_string(features) + ",)", "reshape-to") +
          "</div>";
  return body;
}

}  // namespace mnisttrain::report
