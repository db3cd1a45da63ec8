// The HTML page around the figures: one self-contained document (inline CSS, no scripts,
// no external files or fonts) with a title, a table of contents and the sections.
#pragma once

#include <string>
#include <vector>

namespace mnisttrain::report {

class Page {
 public:
  explicit Page(std::string title, std::string subtitle = "");
  // `body` is markup (escaped by whoever built it); `id` names the section for links and tests.
  void add_section(const std::string& id, const std::string& heading, const std::string& body);
  std::string render() const;

 private:
  struct Section {
    std::string id, heading, body;
  };
  std::string title_;
  std::string subtitle_;
  std::vector<Section> sections_;
};

// A table of plain-text cells (escaped here); the first row of `rows` is data, not a header.
std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                  const std::string& css_class = "");

// A paragraph of plain text, escaped.
std::string paragraph(const std::string& text, const std::string& css_class = "");

}  // namespace mnisttrain::report
