// SLO verdicts: every metric x scope, from a hand-built summary and mean tables.
//
// The fixture has five 1-minute buckets over a 290 s run (the last one partial) with a
// 60 s warm-up. The scope under test gets "interesting" figures; every other scope gets
// benign ones that pass every limit used here, so reading the wrong table or summary
// node shows up as a wrong verdict.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

#include "models/slo.hpp"

using namespace surgesim;
using models::Json;
using models::SeriesTable;
using models::SloConfig;
using models::SloMetric;
using models::SloScopeKind;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
using Columns = std::map<std::string, std::vector<double>>;

SeriesTable table(std::string path, const Columns& columns) {
  SeriesTable t;
  t.path = std::move(path);
  t.columns = {"t_s"};
  t.data = {{0, 60, 120, 180, 240}};
  for (const auto& [name, values] : columns) {
    t.columns.push_back(name);
    t.data.push_back(values);
  }
  return t;
}

// Bucket 0 is in the warm-up: its values would fail everything and must be ignored.
Columns interesting_latency() {
  return {{"p50_s", {9, 0.1, 0.2, kNaN, 0.3}},
          {"p95_s", {9, 0.5, 1.5, 2.5, kNaN}},
          {"p99_s", {9, 1, 3, 3, 1}},
          {"mean_s", {9, 0.2, 0.3, 0.4, 0.5}}};
}
Columns benign_latency() {
  return {{"p50_s", {0.16, 0.16, 0.16, 0.16, 0.16}},
          {"p95_s", {0.16, 0.16, 0.16, 0.16, 0.16}},
          {"p99_s", {0.16, 0.16, 0.16, 0.16, 0.16}},
          {"mean_s", {0.16, 0.16, 0.16, 0.16, 0.16}}};
}

// Sessions, journeys (`ended` = completed) and pages (`ended` = success).
Columns session_columns(bool interesting, const std::string& ended) {
  Columns c = interesting ? interesting_latency() : benign_latency();
  if (interesting) {
    c[ended] = {10, 10, 10, 10, 0};
    c["dropped"] = {10, 0, 5, 10, 0};  // drop rate 0.5 (warm-up), 0, 1/3, 1/2, none ended
    c["requests"] = {100, 100, 100, 0, 100};
    c["failed"] = {50, 0, 20, 0, 10};  // error rate 0.5 (warm-up), 0, 0.2, none, 0.1
  } else {
    c[ended] = {10, 10, 10, 10, 10};
    c["dropped"] = {0, 0, 0, 0, 0};
    c["requests"] = {100, 100, 100, 100, 100};
    c["failed"] = {0, 0, 0, 0, 0};
  }
  return c;
}

Columns service_columns(bool interesting) {
  Columns c = interesting ? interesting_latency() : benign_latency();
  if (interesting) {
    c["arrivals"] = {100, 100, 100, 0, 100};
    c["rejected"] = {20, 0, 10, 0, 5};  // with timeouts and errors: the session error rates
    c["timeouts"] = {20, 0, 5, 0, 0};
    c["errors"] = {10, 0, 5, 0, 5};
    c["utilization"] = {1, 0.5, 0.9, 0.95, kNaN};
  } else {
    c["arrivals"] = {100, 100, 100, 100, 100};
    c["rejected"] = c["timeouts"] = c["errors"] = {0, 0, 0, 0, 0};
    c["utilization"] = {0.1, 0.1, 0.1, 0.1, 0.1};
  }
  return c;
}

Json latency_summary(bool interesting, const char* mean_key) {
  if (interesting) return {{mean_key, 0.3}, {"p50_s", 0.2}, {"p95_s", 1.4}, {"p99_s", 2.5}};
  return {{mean_key, 0.16}, {"p50_s", 0.16}, {"p95_s", 0.16}, {"p99_s", 0.16}};
}

struct Fixture {
  models::Scenario scenario;
  Json summary;
  std::vector<SeriesTable> tables;
};

// The scope `kind` holds the interesting figures.
Fixture fixture(SloScopeKind kind) {
  Fixture f;
  f.scenario.duration = 290;
  f.scenario.warmup = 60;
  f.scenario.bucket = 60;
  const bool all = kind == SloScopeKind::all, journey = kind == SloScopeKind::journey,
             page = kind == SloScopeKind::page, service = kind == SloScopeKind::service;

  Json& s = f.summary;
  s["drop_rate"] = all ? 0.25 : 0.0;
  s["latency"] = latency_summary(all, "mean_s");
  s["latency"]["requests"] = 400;
  s["latency"]["failed"] = all ? 80 : 0;
  s["journeys"]["buy"] = latency_summary(journey, "mean_s");
  s["journeys"]["buy"]["drop_rate"] = journey ? 0.25 : 0.0;
  s["journeys"]["buy"]["requests"] = 400;
  s["journeys"]["buy"]["failed"] = journey ? 80 : 0;
  s["pages"]["buy.pay"] = latency_summary(page, "mean_s");
  s["pages"]["buy.pay"]["requests"] = 400;
  s["pages"]["buy.pay"]["success"] = page ? 75 : 100;
  s["pages"]["buy.pay"]["failed"] = page ? 80 : 0;
  s["pages"]["buy.pay"]["dropped"] = page ? 25 : 0;
  Json& web = s["services"]["web"] = latency_summary(service, "mean_response_s");
  web["mean_wait_s"] = 7.0;  // never used: a decoy for the mean response
  web["arrivals"] = 400;
  web["rejected"] = service ? 35 : 0;
  web["timeouts"] = service ? 25 : 0;
  web["errors"] = service ? 20 : 0;
  web["utilization"] = service ? 0.8 : 0.1;

  f.tables.push_back(table("timeseries/sessions", session_columns(all, "completed")));
  f.tables.push_back(table("timeseries/journeys/buy", session_columns(journey, "completed")));
  f.tables.push_back(table("timeseries/pages/buy.pay", session_columns(page, "success")));
  f.tables.push_back(table("timeseries/services/web", service_columns(service)));
  return f;
}

SloConfig slo(SloMetric metric, SloScopeKind kind, bool is_max, double limit) {
  SloConfig c;
  c.name = "objective";
  c.metric = metric;
  c.scope_kind = kind;
  c.is_max = is_max;
  c.limit = limit;
  switch (kind) {
    case SloScopeKind::all:
      c.scope = "all";
      break;
    case SloScopeKind::journey:
      c.scope = "journey.buy";
      c.target = "buy";
      break;
    case SloScopeKind::page:
      c.scope = "page.buy.pay";
      c.target = "buy.pay";
      break;
    case SloScopeKind::service:
      c.scope = "service.web";
      c.target = "web";
      break;
    case SloScopeKind::waiting_room:
      c.scope = "waiting_room";
      break;
  }
  return c;
}

Json evaluate_one(Fixture f, const SloConfig& c) {
  f.scenario.slos = {c};
  const Json out = models::evaluate_slos(f.scenario, f.summary, f.tables);
  REQUIRE(out.size() == 1);
  return out[0];
}

struct Case {
  SloMetric metric;
  bool is_max;
  double limit;
  double value;
  int failed_buckets;
  Json ranges;
};

// The same interesting figures give the same verdicts in every scope.
const std::vector<Case> kLatencyAndErrorCases = {
    // p99 buckets 1, 3, 3, 1 -> buckets 2 and 3 fail, one run.
    {SloMetric::latency_p99, true, 2.0, 2.5, 2, {{120, 240}}},
    // p95 0.5, 1.5, 2.5, none; the whole run passes (1.4) but bucket 3 fails.
    {SloMetric::latency_p95, true, 2.0, 1.4, 1, {{180, 240}}},
    // A `min` bound: p50 0.1 in bucket 1 is too low.
    {SloMetric::latency_p50, false, 0.15, 0.2, 1, {{60, 120}}},
    // The last, partial bucket fails: its range ends at the duration, not at 300.
    {SloMetric::latency_mean, true, 0.45, 0.3, 1, {{240, 290}}},
    // Error rate 0, 0.2, none, 0.1: the bucket without requests splits the run.
    {SloMetric::error_rate, true, 0.05, 0.2, 2, {{120, 180}, {240, 290}}},
};

void check_case(SloScopeKind kind, const Case& c) {
  const Json r = evaluate_one(fixture(kind), slo(c.metric, kind, c.is_max, c.limit));
  INFO(r.dump());
  CHECK(r["value"].get<double>() == doctest::Approx(c.value));
  CHECK(r["failed_buckets"] == c.failed_buckets);
  CHECK(r["failed_ranges"] == c.ranges);
  CHECK(r["ok"] == false);
  CHECK(r["limit"] == c.limit);
  CHECK(r["bound"] == (c.is_max ? "max" : "min"));

  // A limit every bucket and the whole run meet passes.
  const bool latency = c.metric != SloMetric::error_rate;
  const Json pass = evaluate_one(fixture(kind), slo(c.metric, kind, true, latency ? 5.0 : 0.3));
  CHECK(pass["ok"] == true);
  CHECK(pass["failed_buckets"] == 0);
  CHECK(pass["failed_ranges"] == Json::array());
}

const Case kDropRate = {SloMetric::drop_rate, true, 0.3, 0.25, 2, {{120, 240}}};  // 0, 1/3, 1/2
const Case kUtilization = {SloMetric::utilization, true, 0.85, 0.8, 2, {{120, 240}}};

}  // namespace

TEST_CASE("scope all: page latency of all journeys, drop rate and error rate of sessions") {
  for (const Case& c : kLatencyAndErrorCases) check_case(SloScopeKind::all, c);
  check_case(SloScopeKind::all, kDropRate);
}

TEST_CASE("scope journey: the journey's summary node and table") {
  for (const Case& c : kLatencyAndErrorCases) check_case(SloScopeKind::journey, c);
  check_case(SloScopeKind::journey, kDropRate);
}

TEST_CASE("scope page: drop rate is sessions that ended there over successes + those") {
  for (const Case& c : kLatencyAndErrorCases) check_case(SloScopeKind::page, c);
  check_case(SloScopeKind::page, kDropRate);
}

TEST_CASE("scope service: mean response, error rate over arrivals, utilization") {
  for (const Case& c : kLatencyAndErrorCases) check_case(SloScopeKind::service, c);
  check_case(SloScopeKind::service, kUtilization);
  // A `min` utilisation (keep the pool from being oversized) that holds.
  const Json r = evaluate_one(fixture(SloScopeKind::service),
                              slo(SloMetric::utilization, SloScopeKind::service, false, 0.3));
  CHECK(r["ok"] == true);
}

TEST_CASE("the whole-run value alone can fail an SLO") {
  Fixture f = fixture(SloScopeKind::all);
  f.summary["latency"]["p99_s"] = 5.0;  // every bucket is at most 3 s
  const Json r = evaluate_one(f, slo(SloMetric::latency_p99, SloScopeKind::all, true, 4.0));
  CHECK(r["value"] == 5.0);
  CHECK(r["failed_buckets"] == 0);
  CHECK(r["ok"] == false);
}

TEST_CASE("no observation over the run: value null, judged on the buckets alone") {
  Fixture f = fixture(SloScopeKind::page);
  f.summary["pages"]["buy.pay"]["p99_s"] = nullptr;
  const Json r = evaluate_one(f, slo(SloMetric::latency_p99, SloScopeKind::page, true, 5.0));
  CHECK(r["value"].is_null());
  CHECK(r["ok"] == true);
  const Json fails = evaluate_one(f, slo(SloMetric::latency_p99, SloScopeKind::page, true, 2.0));
  CHECK(fails["value"].is_null());
  CHECK(fails["ok"] == false);
}

TEST_CASE("without a warm-up the first bucket counts") {
  Fixture f = fixture(SloScopeKind::all);
  f.scenario.warmup = 0;
  const Json r = evaluate_one(f, slo(SloMetric::latency_p99, SloScopeKind::all, true, 2.0));
  CHECK(r["failed_buckets"] == 3);
  CHECK(r["failed_ranges"] == Json({{0, 60}, {120, 240}}));
}

TEST_CASE("every SLO of the scenario, in order, with its name, metric and scope") {
  Fixture f = fixture(SloScopeKind::service);
  SloConfig a = slo(SloMetric::utilization, SloScopeKind::service, true, 0.85);
  a.name = "web-not-saturated";
  SloConfig b = slo(SloMetric::latency_p95, SloScopeKind::all, true, 1.0);
  b.name = "fast-pages";
  f.scenario.slos = {a, b};
  const Json out = models::evaluate_slos(f.scenario, f.summary, f.tables);
  REQUIRE(out.size() == 2);
  CHECK(out[0]["name"] == "web-not-saturated");
  CHECK(out[0]["metric"] == "utilization");
  CHECK(out[0]["scope"] == "service.web");
  CHECK(out[0]["ok"] == false);
  CHECK(out[1]["name"] == "fast-pages");
  CHECK(out[1]["metric"] == "latency_p95");
  CHECK(out[1]["scope"] == "all");
  CHECK(out[1]["ok"] == true);
  CHECK(models::evaluate_slos(models::Scenario{}, f.summary, f.tables) == Json::array());
}

TEST_CASE("undefined metric/scope pairs and missing results are errors, not passes") {
  const Fixture f = fixture(SloScopeKind::all);
  auto evaluate = [&](const SloConfig& c) {
    Fixture g = f;
    g.scenario.slos = {c};
    return models::evaluate_slos(g.scenario, g.summary, g.tables);
  };
  CHECK_THROWS_AS(evaluate(slo(SloMetric::drop_rate, SloScopeKind::service, true, 0.1)),
                  std::invalid_argument);
  for (const auto kind : {SloScopeKind::all, SloScopeKind::journey, SloScopeKind::page}) {
    CHECK_THROWS_AS(evaluate(slo(SloMetric::utilization, kind, true, 0.9)), std::invalid_argument);
  }
  SloConfig unknown = slo(SloMetric::latency_p99, SloScopeKind::journey, true, 1.0);
  unknown.target = "browse";
  CHECK_THROWS_WITH_AS(evaluate(unknown), doctest::Contains("/journeys/browse"),
                       std::invalid_argument);
  Fixture no_tables = f;
  no_tables.tables.clear();
  no_tables.scenario.slos = {slo(SloMetric::latency_p99, SloScopeKind::all, true, 1.0)};
  CHECK_THROWS_WITH_AS(
      models::evaluate_slos(no_tables.scenario, no_tables.summary, no_tables.tables),
      doctest::Contains("timeseries/sessions"), std::invalid_argument);
}
