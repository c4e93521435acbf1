#include "models/loader/slo_loader.hpp"

#include <algorithm>
#include <map>

#include "models/yaml/suggest.hpp"

namespace surgesim::models {
namespace {

const std::vector<std::pair<std::string, SloMetric>> kMetrics = {
    {"latency_p50", SloMetric::latency_p50}, {"latency_p95", SloMetric::latency_p95},
    {"latency_p99", SloMetric::latency_p99}, {"latency_mean", SloMetric::latency_mean},
    {"drop_rate", SloMetric::drop_rate},     {"error_rate", SloMetric::error_rate},
    {"utilization", SloMetric::utilization}};

std::vector<std::string> metric_names() {
  std::vector<std::string> names;
  for (const auto& [name, metric] : kMetrics) names.push_back(name);
  return names;
}

std::string list(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

const std::map<std::string, std::string> kScopeForms = {{"all", "all"},
                                                        {"journey", "journey.NAME"},
                                                        {"page", "page.JOURNEY.PAGE"},
                                                        {"service", "service.NAME"},
                                                        {"waiting_room", "waiting_room"}};

bool is_latency(SloMetric m) {
  return m == SloMetric::latency_p50 || m == SloMetric::latency_p95 ||
         m == SloMetric::latency_p99 || m == SloMetric::latency_mean;
}

SloMetric read_metric(const YamlNode& node) {
  const std::string name = node.as_string();
  for (const auto& [known, metric] : kMetrics) {
    if (known == name) return metric;
  }
  node.expected("a metric: " + list(metric_names()), did_you_mean(name, metric_names()));
}

// Checks that `name` is one of `names` ("journey", "page" or "service" says which).
void check_target(const YamlNode& node, const std::string& what, const std::string& name,
                  const std::vector<std::string>& names) {
  if (std::find(names.begin(), names.end(), name) != names.end()) return;
  node.fail("no " + what + " named '" + name + "'" + did_you_mean(name, names) + "; " + what +
            "s: " + quoted_names(names));
}

// Parses `all`, `journey.NAME`, `page.JOURNEY.PAGE` or `service.NAME` into `slo`.
void read_scope(const YamlNode& node, const Scenario& scenario, SloConfig& slo) {
  const std::string forms = "all, journey.NAME, page.JOURNEY.PAGE, service.NAME or waiting_room";
  slo.scope = node.as_string();
  const std::size_t dot = slo.scope.find('.');
  const std::string kind = slo.scope.substr(0, dot);
  slo.target = dot == std::string::npos ? "" : slo.scope.substr(dot + 1);
  const std::size_t dots =
      static_cast<std::size_t>(std::count(slo.scope.begin(), slo.scope.end(), '.'));
  std::vector<std::string> journeys, pages, services;
  for (const JourneyConfig& j : scenario.journeys) {
    journeys.push_back(j.name);
    for (const PageConfig& p : j.pages) pages.push_back(j.name + "." + p.name);
  }
  for (const ServiceConfig& s : scenario.services) services.push_back(s.name);

  if (kind == "all" && dots == 0) {
    slo.scope_kind = SloScopeKind::all;
  } else if (kind == "journey" && dots == 1) {
    slo.scope_kind = SloScopeKind::journey;
    check_target(node, "journey", slo.target, journeys);
  } else if (kind == "page" && dots == 2) {
    slo.scope_kind = SloScopeKind::page;
    check_target(node, "page", slo.target, pages);
  } else if (kind == "service" && dots == 1) {
    slo.scope_kind = SloScopeKind::service;
    check_target(node, "service", slo.target, services);
  } else if (kind == "waiting_room" && dots == 0) {
    slo.scope_kind = SloScopeKind::waiting_room;
    if (!scenario.waiting_room) node.fail("no waiting_room in this scenario to hold this SLO to");
  } else if (const auto form = kScopeForms.find(kind); form != kScopeForms.end()) {
    node.expected("a scope of the form " + form->second);  // the wrong number of parts
  } else {
    node.expected("a scope: " + forms,
                  did_you_mean(kind, {"all", "journey", "page", "service", "waiting_room"}));
  }
}

// docs/scenario.md: utilisation is a service's; drops happen to sessions, not to services.
void check_metric_fits_scope(const YamlNode& scope_node, const SloConfig& slo) {
  // The room's SLOs bound the wait in it (latency_*) and the share who leave (drop_rate).
  if (slo.scope_kind == SloScopeKind::waiting_room && !is_latency(slo.metric) &&
      slo.metric != SloMetric::drop_rate) {
    scope_node.expected("a latency metric or drop_rate for the scope 'waiting_room'");
  }
  if (slo.metric == SloMetric::utilization && slo.scope_kind != SloScopeKind::service) {
    scope_node.expected("a service scope (service.NAME) for the metric 'utilization'");
  }
  if (slo.metric == SloMetric::drop_rate && slo.scope_kind == SloScopeKind::service) {
    scope_node.expected(
        "all, journey.NAME or page.JOURNEY.PAGE for the metric 'drop_rate' "
        "(sessions drop, services do not)");
  }
}

SloConfig read_slo(const YamlNode& node, const Scenario& scenario) {
  if (!node.is_map())
    node.expected("an SLO: a map with 'name', 'metric', 'scope' and 'max' or 'min'");
  const YamlMap m(node, {"name", "metric", "scope", "max", "min"});
  SloConfig slo;
  slo.name = m.required("name").as_name();
  slo.metric = read_metric(m.required("metric"));
  const YamlNode scope = m.required("scope");
  read_scope(scope, scenario, slo);
  check_metric_fits_scope(scope, slo);
  const auto max = m.get("max");
  const auto min = m.get("min");
  if (max && min) min->fail_key("expected exactly one of 'max' and 'min', found both");
  if (!max && !min) node.fail("expected exactly one of 'max' and 'min', found neither");
  const YamlNode limit = max ? *max : *min;
  slo.is_max = max.has_value();
  // Latencies are durations (units allowed); the other metrics are fractions.
  slo.limit = is_latency(slo.metric) ? limit.as_duration() : limit.as_probability();
  return slo;
}

}  // namespace

std::vector<SloConfig> read_slos(const YamlNode& node, const Scenario& scenario) {
  std::vector<SloConfig> slos;
  if (node.raw().IsNull()) return slos;     // `slo:` with nothing
  std::map<std::string, std::string> seen;  // name -> where
  for (const YamlNode& item : node.items()) {
    slos.push_back(read_slo(item, scenario));
    const YamlNode name = YamlMap(item, {"name", "metric", "scope", "max", "min"}).required("name");
    const auto [it, inserted] = seen.emplace(slos.back().name, name.location());
    if (!inserted)
      name.fail("duplicate SLO name '" + slos.back().name + "' (first at " + it->second + ")");
  }
  return slos;
}

}  // namespace surgesim::models
