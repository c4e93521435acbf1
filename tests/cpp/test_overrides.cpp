// Overrides of every shape (`--set` on the command line, Scenario.set in Python, the
// same code): a scalar, a list item by index, a whole list or map as YAML flow text,
// lists and maps created where nothing was, items appended; and where each error points.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "models/loader/scenario_loader.hpp"
#include "models/yaml/scenario_error.hpp"
#include "tests/cpp/scenario_failure.hpp"

using namespace surgesim::models;
using surgesim::testing::at;
using surgesim::testing::Failure;
using surgesim::testing::failure_of;

namespace {

const std::string kShop = R"(name: shop
duration: 1h
traffic:
  rate: 10/s
journeys:
  buy:
    share: 1
    pages:
      home:
        call: web
        next: {pay: 0.1, exit: 0.9}
      pay:
        call: gateway
        next: {exit: 1}
services:
  web:
    type: server_pool
    instances: 4
    service: 30ms
    calls: [{to: db}]
  db:
    type: database
    connections: 20
    query: 5ms
    contention: {above: 16, slowdown: 0.1}
  gateway:
    type: payment_gateway
    providers:
      - {name: wallet, share: 0.6, latency: 200ms}
      - {name: bank, share: 0.4, latency: 300ms}
slo:
  - {name: fast, metric: latency_p99, scope: all, max: 1s}
  - {name: drops, metric: drop_rate, scope: all, max: 0.05}
)";

Scenario load(const std::vector<std::string>& sets) {
  std::vector<Override> overrides;
  for (const std::string& s : sets) overrides.push_back(parse_override(s));
  return load_scenario_text(kShop, "test.yaml", overrides);
}

Failure failure(const std::vector<std::string>& sets) {
  return failure_of([&] { load(sets); }, kShop);
}

const DatabaseConfig& db(const Scenario& s) {
  return std::get<DatabaseConfig>(s.services[1].type);
}
const PaymentGatewayConfig& gateway(const Scenario& s) {
  return std::get<PaymentGatewayConfig>(s.services[2].type);
}

}  // namespace

TEST_CASE("a list item by index") {
  const Scenario s = load({"slo.0.max=250ms", "services.gateway.providers.1.latency=1s"});
  CHECK(s.slos[0].limit == doctest::Approx(0.25));
  CHECK(s.slos[1].limit == doctest::Approx(0.05));
  CHECK(gateway(s).providers[1].latency.mean() == doctest::Approx(1.0));
  CHECK(gateway(s).providers[0].latency.mean() == doctest::Approx(0.2));
}

TEST_CASE("coupled values set together") {
  const Scenario s =
      load({"services.gateway.providers.0.share=0.5", "services.gateway.providers.1.share=0.5"});
  CHECK(gateway(s).providers[0].share == 0.5);
  CHECK(gateway(s).providers[1].share == 0.5);
}

TEST_CASE("a whole list as YAML flow text") {
  const Scenario s = load({"services.db.outages=[{at: 2h, for: 15m}, {at: 3h, for: 1m}]"});
  REQUIRE(s.services[1].outages.size() == 2);
  CHECK(s.services[1].outages[0].at == 7200.0);
  CHECK(s.services[1].outages[0].duration == 900.0);
  CHECK(s.services[1].outages[1].duration == 60.0);
  SUBCASE("replacing a list") {
    const Scenario one = load({"slo=[{name: p95, metric: latency_p95, scope: all, max: 2s}]"});
    REQUIRE(one.slos.size() == 1);
    CHECK(one.slos[0].name == "p95");
  }
  SUBCASE("emptying a list") {
    CHECK(load({"slo=[]"}).slos.empty());
  }
}

TEST_CASE("a whole map as YAML flow text") {
  const Scenario s = load({"services.db.contention={above: 8, slowdown: 0.2}",
                           "services.web.service={dist: exponential, mean: 40ms}"});
  REQUIRE(db(s).contention);
  CHECK(db(s).contention->above == 8u);
  CHECK(db(s).contention->slowdown == doctest::Approx(0.2));
  CHECK(std::get<ServerPoolConfig>(s.services[0].type).service.mean() == doctest::Approx(0.04));
}

TEST_CASE("a list created where there was none, item by item") {
  const Scenario s = load({"services.web.outages.0.at=10m", "services.web.outages.0.for=1m"});
  REQUIRE(s.services[0].outages.size() == 1);
  CHECK(s.services[0].outages[0].at == 600.0);
  CHECK(s.services[0].outages[0].duration == 60.0);
  SUBCASE("an item missing a key: the error names the override") {
    CHECK_FAILURE(failure({"services.web.outages.0.at=10m"}), "--set services.web.outages.0.at=10m",
                  "services.web.outages[0].for", "missing required key 'for'");
  }
  SUBCASE("a new list starts at 0") {
    CHECK_FAILURE(failure({"services.web.outages.1.at=10m"}), "--set services.web.outages.1.at=10m",
                  "services.web.outages", "expected 0 to start a new list here", "found \"1\"");
  }
}

TEST_CASE("an item appended to a list at its length") {
  const Scenario s =
      load({"slo.2.name=errors", "slo.2.metric=error_rate", "slo.2.scope=all", "slo.2.max=0.01"});
  REQUIRE(s.slos.size() == 3);
  CHECK(s.slos[2].name == "errors");
  CHECK(s.slos[2].limit == 0.01);
  CHECK_FAILURE(failure({"slo.3.max=1"}), "--set slo.3.max=1", "slo",
                "expected a list index from 0 to 1 (or 2 to add an item)", "found \"3\"");
  CHECK_FAILURE(failure({"slo.x.max=1"}), "--set slo.x.max=1", "slo", "found \"x\"");
}

TEST_CASE("errors inside a replaced list or map point at the override") {
  CHECK_FAILURE(failure({"slo=[{name: x, metric: latency_p99, scope: all, mx: 1s}]"}),
                "--set slo=[{name: x, metric: latency_p99, scope: all, mx: 1s}]", "slo[0].mx",
                "unknown key 'mx'", "did you mean 'max'?");
  CHECK_FAILURE(failure({"services.db.outages=[{at: 2h, for: -1m}]"}),
                "--set services.db.outages=[{at: 2h, for: -1m}]", "services.db.outages[0].for",
                "expected a duration");
  CHECK_FAILURE(failure({"services.db.contention={above: x}"}),
                "--set services.db.contention={above: x}", "services.db.contention.above",
                "expected a whole number");
}

TEST_CASE("a value in the file made invalid by an override names the override") {
  // contention.above (16, in the file) must not exceed the connections set to 8.
  const Failure f = failure({"services.web.instances=2", "services.db.connections=8"});
  CHECK(f.location == "--set services.db.connections=8");
  CHECK(f.path == "services.db.contention.above");
  CHECK(f.problem.find("(the value at " + at(25, 25) + ")") != std::string::npos);
  // Both changed together: valid.
  CHECK(db(load({"services.db.connections=8", "services.db.contention.above=4"})).connections ==
        8u);
  // An error the file has by itself stays the file's; one it has not is the override's.
  const std::string broken = kShop.substr(0, kShop.find("slo:")) + "slo: 5\n";
  auto with_override = [&](const std::string& set) {
    return failure_of([&] { load_scenario_text(broken, "test.yaml", {parse_override(set)}); },
                      broken);
  };
  CHECK(with_override("services.web.instances=2").location == at(31, 6));
  CHECK(with_override("services.db.connections=8").location == "--set services.db.connections=8");
}

TEST_CASE("an override's origin names it in messages") {
  const Override python{"services.web.instances", "0", "set('services.web.instances', 0)"};
  const Failure f = failure_of([&] { load_scenario_text(kShop, "test.yaml", {python}); }, kShop);
  CHECK(f.location == "set('services.web.instances', 0)");
  CHECK(f.path == "services.web.instances");
}

TEST_CASE("a scenario from text reads its files only from what it was given") {
  const std::string with_csv = kShop.substr(0, kShop.find("  rate: 10/s")) + "  csv: t.csv\n" +
                               kShop.substr(kShop.find("journeys:"));
  ScenarioFiles shipped =
      ScenarioFiles::only({{"dir/t.csv", "t,rate\n0,5\n60,7\n"}}, "not shipped");
  const Scenario s = load_scenario({"<string>", with_csv, "dir", {}}, shipped);
  REQUIRE(s.traffic.steps.size() == 2);
  CHECK(s.traffic.steps[1].rate == 7.0);
  CHECK(shipped.read_files().size() == 1);
  ScenarioFiles none = ScenarioFiles::only({}, "reads no file");
  CHECK_FAILURE(failure_of(
                    [&] {
                      load_scenario({"<string>", with_csv, "dir", {}}, none);
                    },
                    with_csv),
                "<string>:4:8", "traffic.csv",
                "cannot open the traffic CSV 'dir/t.csv': reads no file");
}
