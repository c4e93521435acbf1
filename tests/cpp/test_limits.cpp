// A scenario beyond a limit (docs/scenario.md, Limits) is refused when read, at the
// offending key, with the limit and what to change; everything at a limit loads.
#include <doctest/doctest.h>

#include <string>

#include "models/limits.hpp"
#include "models/loader/scenario_loader.hpp"
#include "tests/cpp/scenario_failure.hpp"

using namespace surgesim::models;
using surgesim::testing::at;
using surgesim::testing::failure_of;

namespace {

Scenario load(const std::string& text) {
  return load_scenario_text(text, "test.yaml");
}

surgesim::testing::Failure failure(const std::string& text) {
  return failure_of([&] { load(text); }, text.substr(0, 2000));
}

// "name: limits ... traffic ...": `top` goes after the duration, `journeys` and
// `services` are the maps' entries.
std::string shop(const std::string& top, const std::string& journeys, const std::string& services) {
  return "name: limits\nduration: 1h\n" + top + "journeys:\n" + journeys + "services:\n" + services;
}

const std::string kOneJourney =
    "  buy:\n    share: 1\n    pages:\n      home: {call: web, next: {exit: 1}}\n";
const std::string kWeb = "  web: {type: server_pool, instances: 1, service: 10ms}\n";
const std::string kRate = "traffic: {rate: 1}\n";

std::string numbered(const std::string& prefix, std::int64_t i) {
  std::string s = prefix;
  s.append(std::to_string(i));
  return s;
}

}  // namespace

TEST_CASE("counts: services, journeys, pages in all, SLOs") {
  std::string services = kWeb;
  for (int i = 0; i < limits::kServices; ++i) {
    services += "  " + numbered("s", i) + ": {type: database, connections: 1, query: 1ms}\n";
  }
  CHECK_FAILURE(failure(shop(kRate, kOneJourney, services)), at(10, 3), "services",
                "expected at most 10,000 services, found 10,001", "one server_pool",
                "docs/scenario.md, Limits");

  std::string journeys;
  for (int i = 0; i <= limits::kJourneys; ++i) {
    journeys += "  " + numbered("j", i) +
                ":\n    share: 0\n    pages:\n      home: {call: web, next: {exit: 1}}\n";
  }
  CHECK_FAILURE(failure(shop(kRate, journeys, kWeb)), at(5, 3), "journeys",
                "expected at most 10,000 journeys, found 10,001");

  // Two journeys of 5,001 pages: each is allowed, together they are not.
  std::string big;
  for (const char* name : {"a", "b"}) {
    big += std::string("  ") + name + ":\n    share: 0.5\n    pages:\n";
    for (int p = 0; p <= limits::kPages / 2; ++p) {
      big += "      " + numbered("p", p) + ": {call: web, next: {exit: 1}}\n";
    }
  }
  CHECK_FAILURE(failure(shop(kRate, big, kWeb)), at(5, 3), "journeys",
                "expected at most 10,000 pages in all journeys, found 10,002");

  std::string slos = shop(kRate, kOneJourney, kWeb) + "slo:\n";
  for (int i = 0; i <= limits::kSlos; ++i) {
    slos += "  - {name: " + numbered("s", i) + ", metric: latency_p99, scope: all, max: 1s}\n";
  }
  CHECK_FAILURE(failure(slos), at(12, 3), "slo", "expected at most 10,000 SLOs, found 10,001");
}

TEST_CASE("a call chain deeper than the limit is refused at the service it starts from") {
  std::string services;
  for (int i = 0; i <= limits::kCallDepth; ++i) {
    const std::string calls =
        i < limits::kCallDepth ? ", calls: [{to: " + numbered("s", i + 1) + "}]" : "";
    services += "  " + numbered("s", i) + ": {type: server_pool, instances: 1, service: 1ms" +
                calls + "}\n";
  }
  const std::string journey =
      "  buy:\n    share: 1\n    pages:\n      home: {call: s0, next: {exit: 1}}\n";
  // s1 starts a chain of exactly 1,000: fine; s0 makes it 1,001.
  CHECK_FAILURE(failure(shop(kRate, journey, services)), at(10, 3), "services.s0",
                "expected calls at most 1,000 services deep, found a chain of 1,001");
  services.erase(services.find("  s0:"), services.find("  s1:"));
  const std::string from_s1 =
      "  buy:\n    share: 1\n    pages:\n      home: {call: s1, next: {exit: 1}}\n";
  CHECK(load(shop(kRate, from_s1, services)).services.size() == 1000);
}

TEST_CASE("counts inside a service: outages, calls, providers, cold starts") {
  std::string outages = "[";
  for (int i = 0; i <= limits::kOutages; ++i)
    outages += (i ? ", " : "") + std::string("{at: 1, for: 1}");
  outages += "]";
  CHECK_FAILURE(
      failure(shop(
          kRate, kOneJourney,
          "  web: {type: server_pool, instances: 1, service: 1ms, outages: " + outages + "}\n")),
      at(10, 65), "services.web.outages", "expected at most 10,000 outages, found 10,001");

  std::string calls = "[";
  for (int i = 0; i <= limits::kCallsPerPool; ++i)
    calls += (i ? ", " : "") + std::string("{to: db}");
  calls += "]";
  CHECK_FAILURE(
      failure(shop(kRate, kOneJourney,
                   "  web: {type: server_pool, instances: 1, service: 1ms, calls: " + calls +
                       "}\n  db: {type: database, connections: 1, query: 1ms}\n")),
      at(10, 63), "services.web.calls", "expected at most 1,000 calls, found 1,001");

  std::string providers;
  for (int i = 0; i <= limits::kProviders; ++i) {
    providers += "      - {name: " + numbered("p", i) + ", share: 0, latency: 1s}\n";
  }
  const std::string journey =
      "  buy:\n    share: 1\n    pages:\n      home: {call: pay, next: {exit: 1}}\n";
  CHECK_FAILURE(failure(shop(kRate, journey,
                             "  pay:\n    type: payment_gateway\n    providers:\n" + providers)),
                at(13, 7), "services.pay.providers",
                "expected at most 1,000 providers, found 1,001");

  std::string cold = "[";
  for (int i = 0; i <= limits::kOutages; ++i)
    cold += (i ? ", " : "") + std::string("{at: 1, warmup: 1}");
  cold += "]";
  const std::string cached =
      "  buy:\n    share: 1\n    pages:\n      home: {call: cache, next: {exit: 1}}\n";
  CHECK_FAILURE(
      failure(shop(kRate, cached,
                   "  cache: {type: cache, hit_ratio: 0.9, hit: 1ms, miss: {to: web}, cold: " +
                       cold + "}\n" + kWeb)),
      at(10, 73), "services.cache.cold", "expected at most 10,000 cold starts, found 10,001");
}

TEST_CASE("traffic: rates, the peak with its scale, spikes and CSV rows") {
  CHECK_FAILURE(failure(shop("traffic: {rate: 1e308}\n", kOneJourney, kWeb)), at(3, 17),
                "traffic.rate", "expected a rate of at most 1e9 sessions per second");
  CHECK_FAILURE(failure(shop("traffic: {rate: 1e5, scale: 1e308}\n", kOneJourney, kWeb)), at(3, 29),
                "traffic.scale",
                "expected traffic of at most 1e9 sessions per second, found up to more than "
                "1e308",
                "lower the rates or the scale");
  CHECK_FAILURE(failure(shop("traffic: {rate: 1e5, scale: 2e4}\n", kOneJourney, kWeb)), at(3, 29),
                "traffic.scale", "found up to 2e+09");
  // The peaks of spikes add up.
  const std::string spikes =
      "traffic:\n  rate: 1\n  spikes:\n    - {at: 1h, peak: 6e8, rise: 1m, decay: 1m}\n"
      "    - {at: 2h, peak: 6e8, rise: 1m, decay: 1m}\n";
  CHECK_FAILURE(failure(shop(spikes, kOneJourney, kWeb)), at(4, 3), "traffic",
                "found up to 1.2e+09");

  std::string many = "traffic:\n  rate: 1\n  spikes:\n";
  for (int i = 0; i <= limits::kSpikes; ++i)
    many += "    - {at: 1h, peak: 1, rise: 1m, decay: 1m}\n";
  CHECK_FAILURE(failure(shop(many, kOneJourney, kWeb)), at(6, 5), "traffic.spikes",
                "expected at most 1,000 spikes, found 1,001");
}

TEST_CASE("time: the duration, any other duration, and the bucket count") {
  CHECK_FAILURE(failure("name: x\nduration: 1e308h\n" + kRate + "journeys:\n" + kOneJourney +
                        "services:\n" + kWeb),
                at(2, 11), "duration", "expected a duration of at most 1e9 s", "found \"1e308h\"");
  CHECK_FAILURE(failure("name: x\nduration: 400d\n" + kRate + "journeys:\n" + kOneJourney +
                        "services:\n" + kWeb),
                at(2, 11), "duration", "expected a duration");
  CHECK_FAILURE(failure("name: x\nduration: 9600h\n" + kRate + "journeys:\n" + kOneJourney +
                        "services:\n" + kWeb),
                at(2, 11), "duration", "expected a duration of at most 366 days");
  // A spike that never decays.
  CHECK_FAILURE(failure(shop("traffic:\n  rate: 1\n  spikes:\n    - {at: 1h, peak: 5, rise: 1m, "
                             "decay: 1e308h}\n",
                             kOneJourney, kWeb)),
                at(6, 42), "traffic.spikes[0].decay", "expected a duration of at most 1e9 s");
  CHECK_FAILURE(failure(shop("bucket: 1e-9\n" + kRate, kOneJourney, kWeb)), at(3, 9), "bucket",
                "expected at most 1,000,000 buckets (duration / bucket), found 3.6e+12",
                "widen the bucket to at least 0.0036 s");
  CHECK_FAILURE(failure("name: x\nduration: 4h\nbucket: 1ms\n" + kRate + "journeys:\n" +
                        kOneJourney + "services:\n" + kWeb),
                at(3, 9), "bucket", "found 1.44e+07", "at least 0.0144 s");
  // At the limit: a million buckets load.
  CHECK(load("name: x\nduration: 1000000\nbucket: 1\n" + kRate + "journeys:\n" + kOneJourney +
             "services:\n" + kWeb)
            .bucket == 1.0);
  CHECK_FAILURE(failure(shop("replications: 10001\n" + kRate, kOneJourney, kWeb)), at(3, 15),
                "replications", "a whole number from 1 to 10000");
}
