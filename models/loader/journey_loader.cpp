#include "models/loader/journey_loader.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "models/yaml/suggest.hpp"

namespace surgesim::models {
namespace {

constexpr double kSumTolerance = 1e-6;  // docs/scenario.md: `next` sums to 1 +- 1e-6

const std::vector<std::string> kPageKeys = {"call", "think", "next", "order"};

std::vector<std::string> page_names(const JourneyConfig& journey) {
  std::vector<std::string> names;
  for (const PageConfig& page : journey.pages) names.push_back(page.name);
  return names;
}

SlownessConfig read_slowness(const YamlNode& node) {
  if (!node.is_map()) node.expected("a map with 'above', 'per' and 'leave'");
  const YamlMap m(node, {"above", "per", "leave"});
  SlownessConfig slowness;
  slowness.above = m.required("above").as_duration();
  const YamlNode per = m.required("per");
  slowness.per = per.as_duration();
  if (slowness.per <= 0.0) per.expected("a duration > 0 (the step the leave probability counts)");
  slowness.leave = m.required("leave").as_probability();
  return slowness;
}

Distribution read_order(const YamlNode& node) {
  if (!node.is_map()) node.expected("a map with 'value' (the order's money distribution)");
  const YamlMap m(node, {"value"});
  const YamlNode value = m.required("value");
  // A bare number is a constant; money distributions cannot go below 0 either.
  if (value.is_scalar() && value.as_number() < 0.0) value.expected("an order value >= 0");
  return value.as_distribution(false);
}

PageConfig read_page(const std::string& name, const YamlNode& node) {
  const YamlMap m(node, kPageKeys);
  PageConfig page;
  page.name = name;
  page.call = m.required("call").as_name();
  if (const auto n = m.get("think")) page.think = n->as_distribution();
  if (const auto n = m.get("order")) page.order_value = read_order(*n);
  const YamlNode next = m.required("next");
  double sum = 0.0;
  for (const auto& [target, p] : next.entries()) {
    page.next.emplace_back(target, p.as_probability());
    sum += page.next.back().second;
  }
  if (page.next.empty()) next.expected("at least one page name or 'exit' with a probability");
  if (std::abs(sum - 1.0) > kSumTolerance) {
    next.fail("expected probabilities that sum to 1 (within 1e-6), found a sum of " +
              format_sum(sum));
  }
  return page;
}

// Every `next` names a page of the journey or 'exit'.
void check_next_targets(const JourneyConfig& journey, const std::vector<YamlNode>& page_nodes) {
  const std::vector<std::string> names = page_names(journey);
  std::vector<std::string> targets = names;
  targets.emplace_back(kExit);
  // A set: a journey may have thousands of pages, each with a few targets.
  const std::unordered_set<std::string> known(targets.begin(), targets.end());
  for (const YamlNode& page_node : page_nodes) {
    for (const auto& [target, node] : YamlMap(page_node, kPageKeys).required("next").entries()) {
      if (!known.contains(target)) {
        node.fail_key("no page named '" + target + "' in journey '" + journey.name + "'" +
                      did_you_mean(target, targets) + "; pages: " + quoted_names(names) +
                      ", or 'exit' to leave the journey");
      }
    }
  }
}

PatienceCovers read_patience_covers(const YamlNode& node) {
  const std::string covers = node.as_string();
  if (covers == "response") return PatienceCovers::response;
  if (covers == "queue") return PatienceCovers::queue;
  node.expected("'response' or 'queue'", did_you_mean(covers, {"response", "queue"}));
}

// Reads the pages in file order; returns their nodes, for messages about them later.
std::vector<YamlNode> read_pages(const YamlNode& pages, JourneyConfig& journey) {
  std::vector<YamlNode> page_nodes;
  for (const auto& [page_name, page_node] : pages.entries()) {
    if (page_name == kExit) {
      page_node.fail_key("'exit' is reserved for leaving the journey; name the page otherwise");
    }
    check_key_name(page_name, page_node);
    page_nodes.push_back(page_node);
    journey.pages.push_back(read_page(page_name, page_node));
  }
  if (journey.pages.empty()) pages.expected("at least one page");
  return page_nodes;
}

std::string read_start(const std::optional<YamlNode>& node, const JourneyConfig& journey) {
  if (!node) return journey.pages.front().name;
  const std::string start = node->as_name();
  const std::vector<std::string> names = page_names(journey);
  if (std::find(names.begin(), names.end(), start) == names.end()) {
    node->fail("no page named '" + start + "' in journey '" + journey.name + "'" +
               did_you_mean(start, names) + "; pages: " + quoted_names(names));
  }
  return start;
}

}  // namespace

JourneyConfig read_journey(const std::string& name, const YamlNode& node,
                           std::vector<YamlNode>& page_nodes) {
  const YamlMap m(node, {"share", "start", "think", "patience", "patience_covers", "retry",
                         "slowness", "pages"});
  JourneyConfig journey;
  journey.name = name;
  journey.share = m.required("share").as_probability();
  if (const auto n = m.get("think")) journey.think = n->as_distribution();
  if (const auto n = m.get("patience")) journey.patience = n->as_distribution();
  if (const auto n = m.get("patience_covers")) journey.patience_covers = read_patience_covers(*n);
  if (const auto n = m.get("retry")) journey.retry = read_retry(*n);
  if (const auto n = m.get("slowness")) journey.slowness = read_slowness(*n);
  page_nodes = read_pages(m.required("pages"), journey);
  journey.start = read_start(m.get("start"), journey);
  check_next_targets(journey, page_nodes);
  return journey;
}

}  // namespace surgesim::models
