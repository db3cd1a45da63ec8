// Depth-limited, duplicate-refusing JSON parsing; see json_text.h.
#include "io/json_text.h"

#include "error.h"
#include "io/quote.h"

#include <set>
#include <vector>

namespace mnisttrain::io {
namespace {

using nlohmann::json;

// One open object or array while parsing: its keys so far (objects) and the path to it.
struct Frame {
  bool is_object = false;
  std::set<std::string> keys;
  std::string path;
  std::string last_key;
  std::size_t items = 0;
};

std::string child_path(const std::vector<Frame>& stack) {
  if (stack.empty()) return "";
  const Frame& top = stack.back();
  if (top.is_object) return top.path.empty() ? top.last_key : top.path + "." + top.last_key;
  return top.path + "[" + std::to_string(top.items) + "]";
}

std::string where(const std::string& path) { return path.empty() ? "the document" : path; }

}  // namespace

json parse_json_text(const std::string& text, const std::string& source) {
  std::vector<Frame> stack;
  const auto check = [&](int depth, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        if (depth >= kMaxJsonDepth) {
          throw Error(source + ": JSON nested more than " + std::to_string(kMaxJsonDepth) +
                      " levels deep at " + escaped(where(child_path(stack))));
        }
        stack.push_back({event == json::parse_event_t::object_start, {}, child_path(stack), "", 0});
        break;
      case json::parse_event_t::key: {
        Frame& top = stack.back();
        top.last_key = parsed.get<std::string>();
        if (!top.keys.insert(top.last_key).second) {
          throw Error(source + ": duplicate key " + shown_json(parsed) + " in " +
                      escaped(where(top.path)));
        }
        break;
      }
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        stack.pop_back();
        if (!stack.empty() && !stack.back().is_object) ++stack.back().items;
        break;
      case json::parse_event_t::value:
        if (!stack.empty() && !stack.back().is_object) ++stack.back().items;
        break;
    }
    return true;
  };
  try {
    return json::parse(text, check);
  } catch (const json::exception& e) {
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix; keep its line and column.
    std::string what = e.what();
    const std::size_t end = what.find("] ");
    if (end != std::string::npos) what = what.substr(end + 2);
    const auto* syntax = dynamic_cast<const json::parse_error*>(&e);
    const std::string at = syntax ? " at byte " + std::to_string(syntax->byte) : "";
    throw Error(source + ": invalid JSON" + at + ": " + escaped(what));
  }
}

std::string shown_json(const json& value, std::size_t max_chars) {
  std::string text = value.dump(-1, ' ', true, json::error_handler_t::replace);
  if (text.size() > max_chars) text = text.substr(0, max_chars > 3 ? max_chars - 3 : 0) + "...";
  return text;
}

}  // namespace mnisttrain::io
