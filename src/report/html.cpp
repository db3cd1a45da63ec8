// The page builder; see html.h.
#include "report/html.h"

#include "report/svg.h"

namespace mnisttrain::report {

namespace {

const char* const kStyle = R"(
body { font: 14px/1.45 "DejaVu Sans", Arial, sans-serif; color: #222; margin: 0 auto; max-width: 1060px; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 2px; } h2 { font-size: 18px; margin: 28px 0 6px; border-bottom: 1px solid #ddd; }
p.sub { color: #555; margin: 0 0 8px; } p.note { color: #555; font-style: italic; }
nav a { margin-right: 12px; }
table { border-collapse: collapse; margin: 6px 0 12px; } th, td { padding: 2px 10px; border-bottom: 1px solid #eee; text-align: left; }
.digit-row { margin-right: 28px; align-items: center; }
.row { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
svg text { font: 11px "DejaVu Sans", Arial, sans-serif; } svg text.title { font-size: 13px; font-weight: bold; }
svg text.label { font-size: 12px; } svg .grid { stroke: #eee; } svg .axis { stroke: #555; fill: none; }
svg .line { stroke-width: 1.6; } svg .empty { fill: #888; }
figure { margin: 0; text-align: center; font-size: 12px; } figcaption { margin-top: 2px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, 64px); gap: 6px; }
.mistakes { display: grid; grid-template-columns: repeat(auto-fill, 96px); gap: 8px; }
.onehot td { width: 14px; padding: 1px; text-align: center; border: 1px solid #ccc; font-size: 11px; }
.onehot td.hot { background: #222; color: #fff; }
code { background: #f4f4f4; padding: 0 3px; }
)";

}  // namespace

Page::Page(std::string title, std::string subtitle) : title_(std::move(title)), subtitle_(std::move(subtitle)) {}

void Page::add_section(const std::string& id, const std::string& heading, const std::string& body) {
  sections_.push_back({id, heading, body});
}

std::string Page::render() const {
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title_) +
                     "</title><style>" + kStyle + "</style></head><body><h1>" + escape(title_) + "</h1>";
  if (!subtitle_.empty()) html += paragraph(subtitle_, "sub");
  html += "<nav>";
  for (const Section& s : sections_) html += "<a href=\"#" + escape(s.id) + "\">" + escape(s.heading) + "</a>";
  html += "</nav>\n";
  for (const Section& s : sections_) {
    html += "<section id=\"" + escape(s.id) + "\"><h2>" + escape(s.heading) + "</h2>" + s.body + "</section>\n";
  }
  return html + "</body></html>\n";
}

std::string table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                  const std::string& css_class) {
  std::string html = "<table" + (css_class.empty() ? "" : " class=\"" + escape(css_class) + "\"") + "><tr>";
  for (const std::string& h : header) html += "<th>" + escape(h) + "</th>";
  html += "</tr>";
  for (const auto& row : rows) {
    html += "<tr>";
    for (const std::string& cell : row) html += "<td>" + escape(cell) + "</td>";
    html += "</tr>";
  }
  return html + "</table>";
}

std::string paragraph(const std::string& text, const std::string& css_class) {
  return "<p" + (css_class.empty() ? "" : " class=\"" + escape(css_class) + "\"") + ">" + escape(text) + "</p>";
}

}  // namespace mnisttrain::report
