// The terminal report, rendered from hand-built summaries.
#include <doctest/doctest.h>

#include <sstream>

#include "models/report/text_report.hpp"

using namespace surgesim;
using models::Json;

namespace {

// The report's lines, for checks on one line at a time.
std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The first line containing `needle` ("" if none).
std::string line_with(const std::string& text, const std::string& needle) {
  for (const auto& line : lines(text)) {
    if (line.find(needle) != std::string::npos) return line;
  }
  return "";
}

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// A run without order pages, SLOs or replications.
Json plain_summary() {
  return Json::parse(R"({
    "scenario": "plain", "seed": 3, "replications": 1, "duration_s": 3600, "warmup_s": 0,
    "currency": "IDR",
    "sessions": {"started": 12345, "completed": 12000, "dropped": 300,
                 "by_cause": {"abandoned": 200, "slow": 0, "rejected": 100, "timeout": 0,
                              "pool_timeout": 0, "error": 0, "outage": 0, "declined": 0}},
    "drop_rate": 0.024390243902439025,
    "latency": {"requests": 40000, "failed": 400, "mean_s": 0.081, "p50_s": 0.06,
                "p95_s": 0.2, "p99_s": 1.2},
    "pages": {"shop.home": {"requests": 40000, "success": 39600, "failed": 400, "dropped": 300,
                            "mean_s": 0.081, "p50_s": 0.06, "p95_s": 0.2, "p99_s": 1.2}},
    "journeys": {"shop": {"sessions": 12345, "completed": 12000, "dropped": 300,
                          "drop_rate": 0.024390243902439025}},
    "services": {"web": {"arrivals": 40000, "completed": 39600, "rejected": 100, "timeouts": 0,
                         "errors": 300, "abandoned": 5, "wasted": 2, "utilization": 0.75,
                         "mean_wait_s": 0.01, "mean_response_s": 0.08, "p50_s": 0.06,
                         "p95_s": 0.2, "p99_s": 1.2, "mean_queue": 0.4, "mean_instances": 0,
                         "cost": 0}}
  })");
}

// A shop with orders, lost revenue and two replications.
Json shop_summary(const std::string& currency) {
  Json s = plain_summary();
  s["scenario"] = "harbolnas";
  s["replications"] = 2;
  s["currency"] = currency;
  s["orders"] = 4321;
  s["revenue"] = 1234567890.0;
  s["lost_revenue"] = {
      {"total", 123456789.0},
      {"by_cause", {{"abandoned", 100000000.0}, {"rejected", 23456789.0}, {"timeout", 0.0}}},
      {"by_service", {{"web", 103456789.0}, {"payments", 20000000.0}}}};
  s["journeys"]["shop"]["orders"] = 4321;
  s["journeys"]["shop"]["revenue"] = 1234567890.0;
  s["journeys"]["shop"]["lost_revenue"] = 123456789.0;
  s["services"]["web"]["mean_instances"] = 12.5;
  s["services"]["web"]["cost"] = 1500000.0;
  s["ci95"] = {{"sessions", {{"started", 123.4}, {"by_cause", {{"abandoned", 7.25}}}}},
               {"revenue", 12345678.0},
               {"lost_revenue", {{"total", 0.0}}},
               {"latency", {{"p99_s", 0.026}}}};
  return s;
}

Json slo(const std::string& name, const std::string& metric, const std::string& scope,
         const std::string& bound, double limit, Json value, Json ranges) {
  int buckets = 0;
  for (const auto& r : ranges) {
    buckets += static_cast<int>((r[1].get<double>() - r[0].get<double>()) / 60.0 + 0.5);
  }
  return {{"name", name},
          {"metric", metric},
          {"scope", scope},
          {"bound", bound},
          {"limit", limit},
          {"value", value},
          {"ok", ranges.empty() && name != "overall"},
          {"failed_buckets", buckets},
          {"failed_ranges", ranges}};
}

}  // namespace

TEST_CASE("a run without order pages or SLOs: sessions, causes, latency and tables only") {
  const std::string r = models::text_report(plain_summary());
  INFO(r);
  CHECK(lines(r)[0] == "surgesim · plain · 1 replication · seed 3 · 60.0 min simulated");
  CHECK(line_with(r, "Sessions:") ==
        "Sessions: 12,345 started, 12,000 completed, 300 dropped — drop rate 2.44%");
  CHECK(line_with(r, "  abandoned") == "  abandoned       200  66.67%");
  CHECK(line_with(r, "  rejected") == "  rejected        100  33.33%");
  CHECK(line_with(r, "  slow").empty());  // causes nobody dropped for are left out
  CHECK(line_with(r, "Page responses:") ==
        "Page responses: 40,000 requests, 400 failed (1.00%) — mean 81 ms, p50 60 ms, "
        "p95 200 ms, p99 1.20 s (successes)");
  CHECK_FALSE(contains(r, "Orders"));
  CHECK_FALSE(contains(r, "Lost revenue"));
  CHECK_FALSE(contains(r, "SLOs"));
  CHECK_FALSE(contains(r, "±"));
  // Journeys without revenue fields get no revenue columns.
  CHECK(line_with(r, "  journey") == "  journey  sessions  completed  dropped  drop rate");
  CHECK(line_with(r, "  page") ==
        "  page       requests  success  failed  dropped   mean    p50     p95     p99");
  // Instances and cost are zero for every service: no columns for them.
  CHECK_FALSE(contains(line_with(r, "  service"), "instances"));
  CHECK_FALSE(contains(line_with(r, "  service"), "cost"));
  CHECK(contains(line_with(r, "  service"), "errors"));
  CHECK(r.ends_with("\n"));
  CHECK_FALSE(r.ends_with("\n\n"));
}

TEST_CASE("rupiah: orders, revenue and lost revenue by cause and by service") {
  const std::string r = models::text_report(shop_summary("IDR"));
  INFO(r);
  CHECK(line_with(r, "Figures are means") ==
        "Figures are means over replications ± 95% confidence half-widths.");
  CHECK(line_with(r, "Sessions:") ==
        "Sessions: 12,345±120 started, 12,000 completed, 300 dropped — drop rate 2.44%");
  CHECK(line_with(r, "  abandoned  ") == "  abandoned   200±7.2  66.67%");
  CHECK(line_with(r, "Orders:") == "Orders: 4,321 — revenue Rp 1,234,567,890±12,000,000");
  // A zero half-width (identical replications) is not shown.
  CHECK(line_with(r, "Lost revenue:") ==
        "Lost revenue: Rp 123,456,789 (9.09% of revenue + lost revenue)");
  const std::string by_cause = r.substr(r.find("Lost revenue by cause"));
  CHECK(line_with(by_cause, "  abandoned") == "  abandoned  Rp 100,000,000  81.00%");
  CHECK(line_with(by_cause, "  rejected") == "  rejected    Rp 23,456,789  19.00%");
  CHECK_FALSE(contains(by_cause.substr(0, by_cause.find("by service")), "timeout"));
  const std::string by_service = r.substr(r.find("Lost revenue by service"));
  CHECK(line_with(by_service, "  web") == "  web       Rp 103,456,789  83.80%");
  CHECK(line_with(by_service, "  payments") == "  payments   Rp 20,000,000  16.20%");
  CHECK(contains(line_with(r, "Page responses:"), "p99 1.20±0.026 s"));
  CHECK(line_with(r, "  journey").ends_with("drop rate  orders           revenue    lost revenue"));
  CHECK(contains(line_with(r, "  shop  "), "Rp 1,234,567,890"));
  const std::string services = r.substr(r.find("Services"));
  CHECK(line_with(services, "  service").ends_with("queue  instances          cost"));
  CHECK(line_with(services, "  web  ").ends_with("0.40      12.50  Rp 1,500,000"));
}

TEST_CASE("other currencies: two decimals and the code after the amount") {
  const std::string r = models::text_report(shop_summary("USD"));
  INFO(r);
  CHECK(line_with(r, "Orders:") == "Orders: 4,321 — revenue 1,234,567,890.00±12,000,000 USD");
  CHECK(models::format_money(1234.5, "USD") == "1,234.50 USD");
  CHECK(models::format_money(999.996, "EUR") == "1,000.00 EUR");
  CHECK(models::format_money(12.5, "USD", 0.123) == "12.50±0.12 USD");
  CHECK(models::format_money(1234567890, "IDR") == "Rp 1,234,567,890");
  CHECK(models::format_money(999, "IDR") == "Rp 999");
  CHECK(models::format_money(0, "IDR") == "Rp 0");
  CHECK(models::format_money(-1500, "IDR") == "Rp -1,500");
}

TEST_CASE("SLOs: verdicts, and failing buckets spelled out as time ranges") {
  Json s = plain_summary();
  s["slo"] = Json::array(
      {slo("fast-checkout", "latency_p99", "page.shop.home", "max", 2.0, 3.1,
           Json::array({{60, 840}, {1800, 1920}})),
       slo("few-drops", "drop_rate", "all", "max", 0.05, 0.024, Json::array()),
       slo("busy-enough", "utilization", "service.web", "min", 0.3, 0.75,
           Json::array({{3540, 3600}})),
       slo("overall", "latency_mean", "journey.shop", "max", 0.25, 0.3, Json::array()),
       slo("nobody", "latency_p95", "page.shop.home", "max", 0.5, nullptr, Json::array())});
  const std::string r = models::text_report(s);
  INFO(r);
  CHECK(line_with(r, "SLOs:") == "SLOs: 2 of 5 met");
  CHECK(line_with(r, "SLO  ") ==
        "        SLO            metric        scope           whole run     limit  failed buckets");
  CHECK(line_with(r, "fast-checkout  ") ==
        "  FAIL  fast-checkout  latency_p99   page.shop.home     3.10 s     ≤ 2 s              15");
  CHECK(line_with(r, "few-drops") ==
        "  PASS  few-drops      drop_rate     all                 2.40%      ≤ 5%               0");
  CHECK(line_with(r, "busy-enough  ") ==
        "  FAIL  busy-enough    utilization   service.web        75.00%     ≥ 30%               1");
  // The whole-run value alone can fail an SLO.
  CHECK(line_with(r, "overall  ") ==
        "  FAIL  overall        latency_mean  journey.shop       300 ms  ≤ 250 ms               0");
  // No observation over the run: no value.
  CHECK(line_with(r, "nobody") ==
        "  PASS  nobody         latency_p95   page.shop.home          -  ≤ 500 ms               0");
  CHECK(line_with(r, "fast-checkout:") ==
        "  fast-checkout: page p99 > 2 s from 00:01 to 00:14, from 00:30 to 00:32");
  CHECK(line_with(r, "busy-enough:") ==
        "  busy-enough: service utilization < 30% from 00:59 to 01:00");
  CHECK_FALSE(contains(r, "few-drops:"));
}

TEST_CASE("SLO ranges show seconds when buckets are under a minute, and stay short") {
  Json s = plain_summary();
  Json many = Json::array();
  for (int k = 0; k < 12; ++k) many.push_back({60.0 * k + 30, 60.0 * k + 45});
  s["slo"] = Json::array(
      {slo("drops", "drop_rate", "all", "max", 0.025, 0.03, Json::array({{30, 45}, {90, 3600}})),
       slo("errors", "error_rate", "journey.shop", "max", 0.01, 0.02, many)});
  const std::string r = models::text_report(s);
  INFO(r);
  CHECK(line_with(r, "drops:") ==
        "  drops: drop rate > 2.5% from 00:00:30 to 00:00:45, from 00:01:30 to 01:00:00");
  const std::string errors = line_with(r, "errors:");
  CHECK(errors.starts_with("  errors: journey error rate > 1% from 00:00:30 to 00:00:45, "));
  CHECK(errors.ends_with(", from 00:09:30 to 00:09:45 and 2 more ranges"));
}

TEST_CASE("clock times from the start of the run") {
  CHECK(models::format_time(0, false) == "00:00");
  CHECK(models::format_time(840, false) == "00:14");
  CHECK(models::format_time(25 * 3600 + 60, false) == "25:01");
  CHECK(models::format_time(90, true) == "00:01:30");
  CHECK(models::format_time(3599.9999999, true) == "01:00:00");
}

TEST_CASE("with a start, failing ranges and the headline read as clock times") {
  Json s = plain_summary();
  s["duration_s"] = 4 * 3600.0;
  s["start"] = "22:00";
  s["slo"] = Json::array({slo("drops", "drop_rate", "all", "max", 0.05, 0.02,
                              Json::array({{7200, 7320}, {7800, 8700}}))});
  std::string r = models::text_report(s);
  INFO(r);
  CHECK(lines(r)[0] ==
        "surgesim · plain · 1 replication · seed 3 · 240.0 min simulated from 22:00");
  CHECK(line_with(r, "drops:") ==
        "  drops: drop rate > 5% from 00:00 to 00:02, from 00:10 to 00:25");

  // A start off the minute makes minute-aligned offsets show seconds on the clock.
  s["start"] = "2024-11-10 21:59:30";
  r = models::text_report(s);
  CHECK(line_with(r, "drops:") ==
        "  drops: drop rate > 5% from 23:59:30 to 00:01:30, from 00:09:30 to 00:24:30");

  // A window: where it lies, on the clock and without one.
  s["start"] = "22:00";
  s["window"] = {{"from_s", 6600.0}, {"to_s", 9000.0}};
  r = models::text_report(s);
  CHECK(lines(r)[0] ==
        "surgesim · plain · 1 replication · seed 3 · 40.0 min simulated, 23:50 "
        "to 00:30 (a window of the 240.0 min scenario)");
  s.erase("start");
  r = models::text_report(s);
  CHECK(lines(r)[0] ==
        "surgesim · plain · 1 replication · seed 3 · 40.0 min simulated, 01:50 "
        "to 02:30 from the start (a window of the 240.0 min scenario)");
}

TEST_CASE("clock times on the shop's clock") {
  const auto start = models::parse_start("22:00");
  REQUIRE(start);
  CHECK(models::format_time(0, false, &*start) == "22:00");
  CHECK(models::format_time(7200, false, &*start) == "00:00");
  CHECK(models::format_time(7830, true, &*start) == "00:10:30");
}
