#include "models/loader/scenario_document.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <optional>
#include <sstream>
#include <string_view>

#include "models/yaml/scenario_error.hpp"
#include "models/yaml/suggest.hpp"
#include "models/yaml/untrusted_text.hpp"

namespace surgesim::models {
namespace {

std::string mark_location(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return file;
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

std::string list(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

// yaml-cpp's messages are fixed texts, a few of which end with what was read ("unknown
// escape character: X"): that part is dropped.
std::string yaml_problem(const std::string& message) {
  return message.substr(0, message.find(": "));
}

// Walks a stream's documents without building them: where each starts, and whether it
// holds anything.
class DocumentWalk : public YAML::EventHandler {
 public:
  YAML::Mark start;
  std::optional<YAML::Mark> content;  // where its first node is, if any

  void OnDocumentStart(const YAML::Mark& mark) override {
    start = mark;
    content.reset();
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { found(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    found(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    found(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    found(mark);
  }
  void OnMapEnd() override {}

 private:
  void found(const YAML::Mark& mark) {
    if (!content) content = mark;
  }
};

// Whether a line starts with a document marker ("---" or "..."): without one, a stream
// holds one document.
bool has_document_markers(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    const std::string_view line = text.substr(at, text.find('\n', at) - at);
    if ((line.starts_with("---") || line.starts_with("...")) &&
        (line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r')) {
      return true;
    }
    at += line.size() + 1;
  }
  return false;
}

// More than one document is an error: YAML::Load would quietly drop every one after the
// first.
void check_one_document(const std::string& text, const std::string& file) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentWalk walk;
  int documents = 0;
  int previous_start = -1;
  while (parser.HandleNextDocument(walk)) {
    if (walk.start.pos == previous_start) {
      throw ScenarioError(mark_location(file, walk.start), "",
                          "invalid YAML: nothing can start here (a ',' outside [ ] or { }?)");
    }
    previous_start = walk.start.pos;
    if (documents++ > 0 && walk.content) {
      throw ScenarioError(mark_location(file, *walk.content), "",
                          "expected one YAML document, found another one here (after '---')");
    }
  }
}

// NOTE: yaml-cpp 0.7's LoadAll loops forever, eating memory, on a stray ',' at the top
// of a document (found by fuzzing: the input "- a\n,"): its parser does not consume the
// comma and hands back the same empty document again and again. So documents are only
// walked, with a stop when one starts where the last one did, and only when the text
// has document markers (a second document needs one); the first is then built by Load,
// which reads one document and leaves the rest alone.
YAML::Node parse_yaml(const std::string& text, const std::string& file) {
  try {
    if (has_document_markers(text)) check_one_document(text, file);
    return YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp 0.7 says "bad file" here, which sends users looking in the wrong place.
    throw ScenarioError(
        mark_location(file, e.mark), "",
        "invalid YAML: nested too deeply (" + std::to_string(e.depth()) + " levels or more)");
  } catch (const YAML::Exception& e) {
    throw ScenarioError(mark_location(file, e.mark), "", "invalid YAML: " + yaml_problem(e.msg));
  }
}

[[noreturn]] void not_a_scenario(const std::string& location, const std::string& found) {
  throw ScenarioError(location, "",
                      "this is not a scenario: expected a map of a scenario's top-level keys (" +
                          list(scenario_keys()) + ", extends), found " + found);
}

void check_top_level(const YAML::Node& root, const std::string& file) {
  if (!root.IsDefined() || root.IsNull()) return;
  if (root.IsSequence()) not_a_scenario(mark_location(file, root.Mark()), "a list");
  if (!root.IsMap()) not_a_scenario(mark_location(file, root.Mark()), "text");
  for (const auto& kv : root) {
    const YAML::Node& key = kv.first;
    if (!key.IsScalar()) not_a_scenario(mark_location(file, key.Mark()), "a key that is not text");
    const std::vector<std::string>& keys = scenario_keys();
    const std::string& k = key.Scalar();
    if (k == "extends" || std::find(keys.begin(), keys.end(), k) != keys.end()) continue;
    if (!closest_match(k, keys).empty()) continue;  // a typo: the loader names it later
    not_a_scenario(mark_location(file, key.Mark()), "another key here");
  }
}

}  // namespace

const std::vector<std::string>& scenario_keys() {
  static const std::vector<std::string> keys = {
      "name", "description",  "currency", "start",    "duration", "warmup", "window",      "bucket",
      "seed", "replications", "traffic",  "journeys", "services", "slo",    "waiting_room"};
  return keys;
}

YAML::Node parse_scenario_document(const std::string& text, const std::string& file) {
  check_text(text, file);
  YAML::Node root = parse_yaml(text, file);
  check_top_level(root, file);
  return root;
}

}  // namespace surgesim::models
