// Tests for the scenario loader: one test case per kind of error, each pinning where the
// message points (line:column or the --set option), the key path and the words that
// tell the user what was expected and what was found; and a full scenario read back.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include "models/loader/scenario_loader.hpp"
#include "models/yaml/scenario_error.hpp"
#include "models/yaml/units.hpp"
#include "tests/cpp/scenario_failure.hpp"

using namespace surgesim::models;
using surgesim::sim::DistributionKind;
using surgesim::testing::at;
using surgesim::testing::Failure;
using surgesim::testing::failure_of;

namespace {

// A valid scenario; tests change one piece of it, so the line numbers below stay put.
const std::string kBase = R"(name: flash-sale
duration: 1h
traffic:
  rate: 100/s
journeys:
  buy:
    share: 1
    pages:
      home:
        call: web
        next: {cart: 0.5, exit: 0.5}
      cart:
        call: web
        next: {exit: 1}
services:
  web:
    type: server_pool
    instances: 4
    service: {dist: exponential, mean: 30ms}
)";

// `text` with `from` (which must occur exactly once) replaced by `to`.
std::string with(const std::string& from, const std::string& to, std::string text = kBase) {
  const std::size_t at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, "not in the scenario: " << from);
  REQUIRE_MESSAGE(text.find(from, at + 1) == std::string::npos, "ambiguous: " << from);
  return text.replace(at, from.size(), to);
}

Scenario load(const std::string& text, const std::vector<std::string>& sets = {}) {
  std::vector<Override> overrides;
  for (const std::string& s : sets) overrides.push_back(parse_override(s));
  return load_scenario_text(text, "test.yaml", overrides);
}

Failure failure(const std::string& text, const std::vector<std::string>& sets = {}) {
  return failure_of([&] { load(text, sets); }, text);
}

// "test.yaml:line:column" of the character at `index` of `text`.
std::string location_of(const std::string& text, std::size_t index) {
  REQUIRE(index < text.size());
  const auto begin = text.begin();
  const auto line = std::count(begin, begin + static_cast<std::ptrdiff_t>(index), '\n');
  const std::size_t line_start = index == 0 ? std::string::npos : text.rfind('\n', index - 1);
  const std::size_t column = line_start == std::string::npos ? index : index - line_start - 1;
  return at(static_cast<int>(line + 1), static_cast<int>(column + 1));
}

// Where `needle` (which must occur exactly once) starts in `text`, plus `offset`.
std::string pos(const std::string& text, const std::string& needle, std::size_t offset = 0) {
  const std::size_t found = text.find(needle);
  REQUIRE_MESSAGE(found != std::string::npos, "not in the scenario: " << needle);
  REQUIRE_MESSAGE(text.find(needle, found + 1) == std::string::npos, "ambiguous: " << needle);
  return location_of(text, found + offset);
}

const ServerPoolConfig& pool(const Scenario& s, std::size_t i) {
  return std::get<ServerPoolConfig>(s.services.at(i).type);
}

}  // namespace

TEST_CASE("the base scenario is valid") {
  const Scenario s = load(kBase);
  CHECK(s.name == "flash-sale");
  CHECK(s.journeys.at(0).pages.at(1).next.at(0).first == "exit");
}

TEST_CASE("a service that no page calls is a warning, not an error") {
  CHECK(load(kBase).warnings.empty());
  const Scenario s = load(kBase + R"(  spare:
    type: server_pool
    instances: 1
    service: 10ms
)");
  REQUIRE(s.warnings.size() == 1);
  CHECK(s.warnings[0] ==
        "test.yaml:20:3: services.spare: no page calls this service, directly or through other "
        "services, so it receives no requests");
}

TEST_CASE("invalid YAML syntax") {
  CHECK_FAILURE(failure("name: [a, b\n"), at(2, 1), "", "invalid YAML",
                "end of sequence flow not found");
  CHECK_FAILURE(failure(with("name: flash-sale", "name: *nowhere")), at(1, 7), "", "invalid YAML",
                "anchor");
  CHECK_FAILURE(failure(with("  rate: 100/s", "  rate: 100/s\n rate: 1")), at(5, 2), "",
                "invalid YAML");
  // YAML::Load reads the first document only; the second must not vanish quietly.
  CHECK_FAILURE(failure(kBase + "---\nname: second\n"), at(21, 1), "",
                "expected one YAML document");
  CHECK_NOTHROW(load("---\n" + kBase + "...\n"));
}

TEST_CASE("an empty document") {
  CHECK_FAILURE(failure(""), at(1, 1), "", "the scenario is empty", "name, duration");
  CHECK_FAILURE(failure("# only a comment\n"), at(1, 1), "", "the scenario is empty");
  CHECK_FAILURE(failure("- name\n"), at(1, 1), "", "this is not a scenario", "found a list");
}

TEST_CASE("a missing required key") {
  struct Case {
    std::string from, to, where, path;
  };
  const std::vector<Case> cases = {
      {"name: flash-sale", "currency: IDR", at(1, 1), "name"},
      {"duration: 1h", "seed: 3", at(1, 1), "duration"},
      {"traffic:\n  rate: 100/s", "seed: 3\nbucket: 1m", at(1, 1), "traffic"},
      {"  rate: 100/s", "", at(3, 1), "traffic.rate"},  // `traffic:` with nothing
      {kBase.substr(kBase.find("journeys:"), kBase.find("services:") - kBase.find("journeys:")), "",
       at(1, 1), "journeys"},
      {kBase.substr(kBase.find("services:")), "", at(1, 1), "services"},
      {"    share: 1", "    think: 1s", at(7, 5), "journeys.buy.share"},
      {kBase.substr(kBase.find("    pages:"), kBase.find("services:") - kBase.find("    pages:")),
       "    think: 1s\n", at(7, 5), "journeys.buy.pages"},
      {"        call: web\n        next: {cart", "        think: 1s\n        next: {cart",
       at(10, 9), "journeys.buy.pages.home.call"},
      {"        next: {cart: 0.5, exit: 0.5}", "        think: 1s", at(10, 9),
       "journeys.buy.pages.home.next"},
      {"    type: server_pool", "    timeout: 1s", at(17, 5), "services.web.type"},
      {"    instances: 4", "    workers: 2", at(17, 5), "services.web.instances"},
      {"    service: {dist: exponential, mean: 30ms}", "    workers: 2", at(17, 5),
       "services.web.service"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.path);
    const std::string key = c.path.substr(c.path.rfind('.') + 1);
    CHECK_FAILURE(failure(with(c.from, c.to)), c.where, c.path,
                  "missing required key '" + key + "'");
  }
  // A quote left open swallows the keys after it; the missing one says where it went.
  CHECK_FAILURE(failure(with("name: flash-sale", "name: \"flash-sale")), at(1, 1), "duration",
                "missing required key 'duration' (the quoted value of 'name' at test.yaml:1:7 "
                "holds 'duration:': is its closing quote missing?)");
}

TEST_CASE("an unknown key, with a suggestion") {
  CHECK_FAILURE(failure(with("name: flash-sale", "nmae: flash-sale")), at(1, 1), "nmae",
                "unknown key 'nmae'", "did you mean 'name'?", "known keys: name, description");
  CHECK_FAILURE(failure(with("  rate: 100/s", "  rtae: 100/s")), at(4, 3), "traffic.rtae",
                "unknown key 'rtae'", "did you mean 'rate'?");
  CHECK_FAILURE(failure(with("    share: 1", "    shaer: 1")), at(7, 5), "journeys.buy.shaer",
                "did you mean 'share'?");
  CHECK_FAILURE(failure(with("        call: web\n        next: {cart",
                             "        cal: web\n        next: {cart")),
                at(10, 9), "journeys.buy.pages.home.cal", "unknown key 'cal'",
                "did you mean 'call'?");
  CHECK_FAILURE(failure(with("    instances: 4", "    instnaces: 4")), at(18, 5),
                "services.web.instnaces", "did you mean 'instances'?");
  CHECK_FAILURE(failure(with("mean: 30ms}", "maen: 30ms}")), at(19, 34),
                "services.web.service.maen", "did you mean 'mean'?", "known keys: dist, mean");
  CHECK_FAILURE(failure(with("{dist: exponential", "{dsit: exponential")), at(19, 15),
                "services.web.service.dsit", "did you mean 'dist'?");
  // A key of another distribution is still unknown for this one.
  CHECK_FAILURE(failure(with("mean: 30ms}", "mean: 30ms, cv: 1}")), at(19, 46),
                "services.web.service.cv", "unknown key 'cv'", "known keys: dist, mean");
  // Far from every known key: no guess, just the list.
  const Failure f = failure(with("    share: 1", "    share: 1\n    zzzzzz: 1"));
  CHECK(f.problem.find("did you mean") == std::string::npos);
}

TEST_CASE("an unknown service type, with a suggestion") {
  CHECK_FAILURE(failure(with("type: server_pool", "type: servr_pool")), at(17, 11),
                "services.web.type", "expected a service type: server_pool, cache",
                "found \"servr_pool\" (did you mean 'server_pool'?)");
  CHECK_FAILURE(failure(with("type: server_pool", "type: [server_pool]")), at(17, 11),
                "services.web.type", "expected text, found a list");
}

TEST_CASE("a value of the wrong type") {
  CHECK_FAILURE(failure(with("instances: 4", "instances: many")), at(18, 16),
                "services.web.instances", "expected a whole number from 1 to", "found \"many\"");
  CHECK_FAILURE(failure(with("share: 1", "share: half")), at(7, 12), "journeys.buy.share",
                "expected a number", "found \"half\"");
  CHECK_FAILURE(failure(with("name: flash-sale", "name: {a: 1}")), at(1, 7), "name",
                "expected text, found a map");
  // A list, a scalar or nothing where a map is expected.
  CHECK_FAILURE(failure(with("  rate: 100/s", "  - rate: 100/s")), at(4, 3), "traffic",
                "expected a map", "found a list");
  CHECK_FAILURE(failure(with("  buy:\n", "  buy: 5\n  old:\n")), at(6, 8), "journeys.buy",
                "expected a map, found \"5\"");
  CHECK_FAILURE(failure(with("  web:\n", "  web: [1]\n  old:\n")), at(16, 8), "services.web",
                "expected a service (a map with 'type'", "found a list");
  CHECK_FAILURE(failure(with("mean: 30ms}", "mean: [30ms]}")), at(19, 40),
                "services.web.service.mean", "expected a duration", "found a list");
  CHECK_FAILURE(failure(with("{dist: exponential, mean: 30ms}", "[30ms]")), at(19, 14),
                "services.web.service", "expected a duration or a distribution map",
                "found a list");
  // Long values are cut short in messages.
  const Failure f = failure(with("share: 1", "share: " + std::string(500, 'x')));
  CHECK(f.problem.find(std::string(60, 'x') + "...\"") != std::string::npos);
  CHECK(f.problem.size() < 200);
}

TEST_CASE("bad durations") {
  for (const std::string bad : {"-5", "-1s", "5 parsecs", "1h-30m", "30 s", "ms", "inf", "1e999"}) {
    CAPTURE(bad);
    CHECK_FAILURE(failure(with("duration: 1h", "duration: " + bad)), at(2, 11), "duration",
                  "expected a duration", "not negative", "found \"" + bad + "\"");
  }
  CHECK_FAILURE(failure(with("mean: 30ms}", "mean: 30 parsecs}")), at(19, 40),
                "services.web.service.mean", "expected a duration", "found \"30 parsecs\"");
}

TEST_CASE("bad rates") {
  for (const std::string bad : {"10/week", "-5/s", "-5", "10/", "/s", "fast", "10/hour"}) {
    CAPTURE(bad);
    CHECK_FAILURE(failure(with("rate: 100/s", "rate: " + bad)), at(4, 9), "traffic.rate",
                  "expected a rate", "180000/m", "found \"" + bad + "\"");
  }
}

TEST_CASE("bad whole numbers") {
  CHECK_FAILURE(failure(with("    instances: 4", "    workers: 1.5\n    instances: 4")), at(18, 14),
                "services.web.workers", "expected a whole number from 1 to 1000000",
                "found \"1.5\"");
  CHECK_FAILURE(failure(with("instances: 4", "instances: 0")), at(18, 16), "services.web.instances",
                "expected a whole number from 1", "found \"0\"");
  CHECK_FAILURE(failure(with("instances: 4", "instances: 4\n    queue: -1")), at(19, 12),
                "services.web.queue", "expected a whole number from 0", "found \"-1\"");
  CHECK_FAILURE(failure(with("duration: 1h", "duration: 1h\nreplications: 0")), at(3, 15),
                "replications", "expected a whole number from 1", "found \"0\"");
  CHECK_FAILURE(failure(with("instances: 4", "instances: 100000\n    workers: 1000")), at(17, 5),
                "services.web", "at most 10000000 workers", "found 100000000");
}

TEST_CASE("probabilities outside [0, 1]") {
  CHECK_FAILURE(failure(with("share: 1", "share: 1.5")), at(7, 12), "journeys.buy.share",
                "expected a probability between 0 and 1", "found \"1.5\"");
  CHECK_FAILURE(failure(with("{cart: 0.5, exit: 0.5}", "{cart: -0.5, exit: 1.5}")), at(11, 22),
                "journeys.buy.pages.home.next.cart", "expected a probability between 0 and 1",
                "found \"-0.5\"");
}

TEST_CASE("probabilities and shares that do not sum to 1") {
  CHECK_FAILURE(failure(with("{cart: 0.5, exit: 0.5}", "{cart: 0.5, exit: 0.4}")), at(11, 15),
                "journeys.buy.pages.home.next", "sum to 1 (within 1e-6)", "found a sum of 0.9");
  // Just outside the tolerance, and shown with enough digits to see why.
  CHECK_FAILURE(failure(with("{cart: 0.5, exit: 0.5}", "{cart: 0.5, exit: 0.500002}")), at(11, 15),
                "journeys.buy.pages.home.next", "found a sum of 1.000002");
  CHECK_NOTHROW(load(with("{cart: 0.5, exit: 0.5}", "{cart: 0.5, exit: 0.5000009}")));
  CHECK_NOTHROW(load(with("{cart: 0.5, exit: 0.5}", "{cart: 0.1, exit: 0.2, home: 0.7}")));

  const std::string browse =
      "journeys:\n  browse:\n    share: 0.3\n    pages:\n"
      "      home: {call: web, next: {exit: 1}}\n";
  CHECK_FAILURE(failure(with("share: 1", "share: 0.6", with("journeys:\n", browse))), at(6, 3),
                "journeys", "journey shares", "sum to 1 (within 1e-6)", "found a sum of 0.9");
  CHECK_NOTHROW(load(with("share: 1", "share: 0.6666666",
                          with("share: 0.3", "share: 0.3333333", with("journeys:\n", browse)))));
}

TEST_CASE("a page calls an unknown service") {
  CHECK_FAILURE(failure(with("        call: web\n        next: {cart",
                             "        call: wbe\n        next: {cart")),
                at(10, 15), "journeys.buy.pages.home.call", "no service named 'wbe'",
                "(did you mean 'web'?)", "services: 'web'");
}

TEST_CASE("next names an unknown page") {
  CHECK_FAILURE(failure(with("{cart: 0.5, exit: 0.5}", "{crat: 0.5, exit: 0.5}")), at(11, 16),
                "journeys.buy.pages.home.next.crat", "no page named 'crat' in journey 'buy'",
                "(did you mean 'cart'?)", "or 'exit' to leave");
  CHECK_FAILURE(failure(with("{exit: 1}", "{Exit: 1}")), at(14, 16),
                "journeys.buy.pages.cart.next.Exit", "no page named 'Exit'",
                "did you mean 'exit'?");
}

TEST_CASE("start names an unknown page") {
  CHECK_FAILURE(failure(with("    share: 1", "    share: 1\n    start: hme")), at(8, 12),
                "journeys.buy.start", "no page named 'hme' in journey 'buy'",
                "(did you mean 'home'?)", "pages: 'home', 'cart'");
  const std::string loop = with("{exit: 1}", "{home: 0.5, exit: 0.5}");
  CHECK(load(with("    share: 1", "    share: 1\n    start: cart", loop)).journeys.at(0).start ==
        "cart");
}

TEST_CASE("a page that cannot be reached or cannot reach exit") {
  CHECK_FAILURE(
      failure(with("        next: {exit: 1}\n",
                   "        next: {exit: 1}\n      lost: {call: web, next: {exit: 1}}\n")),
      at(15, 7), "journeys.buy.pages.lost",
      "page 'lost' cannot be reached from the start page 'home'");
  CHECK_FAILURE(failure(with("{cart: 0.5, exit: 0.5}", "{cart: 0, exit: 1}")), at(12, 7),
                "journeys.buy.pages.cart", "cannot be reached", "probability > 0");
  CHECK_FAILURE(failure(with("{exit: 1}", "{cart: 1}")), at(12, 7), "journeys.buy.pages.cart",
                "from page 'cart' a session can never reach 'exit'");
  // A loop with a way out is fine.
  CHECK_NOTHROW(load(with("{exit: 1}", "{home: 0.9, exit: 0.1}")));
}

TEST_CASE("'exit' used as a page name") {
  CHECK_FAILURE(failure(with("      cart:", "      exit:")), at(12, 7), "journeys.buy.pages.exit",
                "'exit' is reserved");
}

TEST_CASE("names with dots or spaces") {
  CHECK_FAILURE(failure(with("      cart:", "      check out:")), at(12, 7),
                "journeys.buy.pages.check out", "expected a name of letters, digits",
                "found 'check out'");
  CHECK_FAILURE(failure(with("  web:", "  web.tier:")), at(16, 3), "services.web.tier",
                "found 'web.tier'");
  CHECK_FAILURE(failure(with("  buy:", "  buy now:")), at(6, 3), "journeys.buy now",
                "found 'buy now'");
  CHECK_FAILURE(failure(with("        call: web\n        next: {cart",
                             "        call: we b\n        next: {cart")),
                at(10, 15), "journeys.buy.pages.home.call", "expected a name", "found \"we b\"");
}

TEST_CASE("warm-up not shorter than the duration") {
  CHECK_FAILURE(failure(with("duration: 1h", "duration: 1h\nwarmup: 2h")), at(3, 9), "warmup",
                "expected a warm-up shorter than the duration", "found \"2h\"");
  CHECK_FAILURE(failure(with("duration: 1h", "duration: 1h\nwarmup: 60m")), at(3, 9), "warmup",
                "shorter than the duration");
  CHECK(load(with("duration: 1h", "duration: 1h\nwarmup: 59m")).warmup == 3540.0);
}

TEST_CASE("a zero duration") {
  for (const std::string zero : {"0", "0s", "0h0m"}) {
    CAPTURE(zero);
    CHECK_FAILURE(failure(with("duration: 1h", "duration: " + zero)), at(2, 11), "duration",
                  "expected a duration > 0", "found \"" + zero + "\"");
  }
  CHECK_FAILURE(failure(with("duration: 1h", "duration: 1h\nbucket: 0")), at(3, 9), "bucket",
                "expected a bucket width > 0");
}

TEST_CASE("distribution errors") {
  const std::string dist = "{dist: exponential, mean: 30ms}";
  CHECK_FAILURE(failure(with(dist, "{dist: gama, mean: 30ms}")), at(19, 21),
                "services.web.service.dist", "expected a distribution: constant, exponential",
                "found \"gama\" (did you mean 'gamma'?)");
  CHECK_FAILURE(failure(with(dist, "{mean: 30ms}")), at(19, 14), "services.web.service.dist",
                "missing required key 'dist'", "one of constant, exponential");
  CHECK_FAILURE(failure(with(dist, "{dist: gamma, mean: 30ms}")), at(19, 14),
                "services.web.service.cv", "missing required key 'cv'");
  CHECK_FAILURE(failure(with(dist, "{dist: exponential, mean: -1}")), at(19, 40),
                "services.web.service.mean", "expected a duration", "not negative", "found \"-1\"");
  CHECK_FAILURE(failure(with(dist, "{dist: gamma, mean: 30ms, cv: 0}")), at(19, 44),
                "services.web.service.cv", "invalid gamma distribution: cv must be > 0, found 0");
  CHECK_FAILURE(failure(with(dist, "{dist: uniform, min: 2s, max: 1s}")), at(19, 44),
                "services.web.service.max", "invalid uniform distribution: max must be >= min");
  CHECK_FAILURE(failure(with(dist, "{dist: empirical, values: [1ms, 2ms], weights: [1, -1]}")),
                at(19, 65), "services.web.service.weights[1]",
                "invalid empirical distribution: weights[1] must be >= 0, found -1");
  CHECK_FAILURE(failure(with(dist, "{dist: empirical, values: [1ms, 2ms], weights: [1]}")),
                at(19, 14), "services.web.service", "invalid empirical distribution",
                "number of weights");
  CHECK_FAILURE(failure(with(dist, "{dist: erlang, k: 2.5, mean: 1s}")), at(19, 32),
                "services.web.service.k", "expected a whole number from 1");
  CHECK_FAILURE(failure(with(dist, "{dist: lognormal, median: 30ms, sigma: 1, mean: 30ms, cv: 1}")),
                at(19, 14), "services.web.service", "lognormal takes median + sigma, or mean + cv",
                "not both");
  CHECK_FAILURE(failure(with(dist, "{dist: lognormal}")), at(19, 14), "services.web.service",
                "lognormal takes median + sigma, or mean + cv");
  CHECK_FAILURE(failure(with(dist, "{dist: lognormal, median: 30ms}")), at(19, 14),
                "services.web.service.sigma", "missing required key 'sigma'");
}

TEST_CASE("duplicate keys, at any depth") {
  CHECK_FAILURE(failure(with("duration: 1h", "duration: 1h\nname: again")), at(3, 1), "name",
                "duplicate key 'name'");
  CHECK_FAILURE(failure(with("{exit: 1}", "{exit: 0.5, exit: 0.5}")), at(14, 27),
                "journeys.buy.pages.cart.next.exit", "duplicate key 'exit'");
  CHECK_FAILURE(failure(with("mean: 30ms}", "mean: 30ms, mean: 1s}")), at(19, 46),
                "services.web.service.mean", "duplicate key 'mean'");
  CHECK_FAILURE(failure(kBase + "slo: [{name: a}, {name: b, name: c}]\n"), at(20, 28),
                "slo[1].name", "duplicate key 'name'");
}

TEST_CASE("aliases that make a node contain itself") {
  CHECK_FAILURE(failure(with("duration: 1h", "duration: 1h\ndescription: &a [*a]")), at(3, 14),
                "description[0]", "alias", "cycle");
  CHECK_FAILURE(failure(with("duration: 1h", "duration: 1h\ndescription: &m {again: *m}")),
                at(3, 18), "description.again", "alias", "cycle");
  CHECK_FAILURE(failure(with("  rate: 100/s", "  rate: 100/s\n  loop: &t [[*t]]")), at(5, 9),
                "traffic.loop[0][0]", "cycle");
  // Aliases that do not loop are fine (and resolve to the same values).
  const Scenario s = load(with("    instances: 4", "    instances: &n 4\n    workers: *n"));
  CHECK(pool(s, 0).workers == 4);
}

TEST_CASE("deep nesting and alias bombs") {
  const std::string deep = std::string(100, '[') + std::string(100, ']');
  CHECK_FAILURE(
      failure(with("duration: 1h", "duration: 1h\ndescription: " + deep)), at(3, 77),
      "description" +
          [] {
            std::string p;
            for (int i = 0; i < 63; ++i) p += "[0]";
            return p;
          }(),
      "nested more than 64 levels deep");
  // So deep that yaml-cpp stops first: still an error, and not "bad file".
  const std::string deeper = std::string(5000, '[') + std::string(5000, ']');
  const Failure f = failure(with("duration: 1h", "duration: 1h\ndescription: " + deeper));
  CHECK(f.path.empty());
  CHECK(f.location.starts_with("test.yaml:3:"));
  CHECK(f.problem.find("invalid YAML: nested too deeply") != std::string::npos);
  // "Billion laughs": 10^8 values through aliases are refused quickly.
  std::string bomb = "duration: 1h\ndescription:\n  - &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 8; ++i) {
    const std::string prev = "*a" + std::to_string(i - 1);
    bomb += "  - &a" + std::to_string(i) + " [" + prev;
    for (int j = 1; j < 10; ++j) bomb += ", " + prev;
    bomb += "]\n";
  }
  const auto start = std::chrono::steady_clock::now();
  const Failure b = failure(with("duration: 1h\n", bomb));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  CHECK(b.problem.find("aliases expanding too much") != std::string::npos);
}

TEST_CASE("--set overrides") {
  SUBCASE("a value that replaces a scalar is validated, and the error names the option") {
    CHECK_FAILURE(failure(kBase, {"services.web.instances=abc"}),
                  "--set services.web.instances=abc", "services.web.instances",
                  "expected a whole number from 1", "found \"abc\"");
    CHECK(pool(load(kBase, {"services.web.instances=60"}), 0).instances == 60);
    CHECK(load(kBase, {"traffic.rate=5e6/h"}).traffic.rate == doctest::Approx(5e6 / 3600));
  }
  SUBCASE("a path that does not exist") {
    CHECK_FAILURE(failure(kBase, {"services.web.instances.x=5"}),
                  "--set services.web.instances.x=5", "services.web.instances",
                  "expected a map or a list to look up 'x' in", "found \"4\"");
    CHECK_FAILURE(failure(kBase, {"services..web=5"}), "--set services..web=5", "services..web",
                  "without empty keys");
  }
  SUBCASE("a value that replaces a map is read as that map would be") {
    CHECK_FAILURE(failure(kBase, {"services.web=5"}), "--set services.web=5", "services.web",
                  "expected a service (a map with 'type'", "found \"5\"");
  }
  SUBCASE("list indices") {
    const std::string empirical =
        with("{dist: exponential, mean: 30ms}", "{dist: empirical, values: [1ms, 2ms, 3ms]}");
    CHECK(pool(load(empirical, {"services.web.service.values.1=8ms"}), 0).service.mean() ==
          doctest::Approx(0.004));
    CHECK_FAILURE(failure(empirical, {"services.web.service.values.1=abc"}),
                  "--set services.web.service.values.1=abc", "services.web.service.values[1]",
                  "expected a duration", "found \"abc\"");
    CHECK_FAILURE(failure(empirical, {"services.web.service.values.4=1ms"}),
                  "--set services.web.service.values.4=1ms", "services.web.service.values",
                  "expected a list index from 0 to 2 (or 3 to add an item)", "found \"4\"");
  }
  SUBCASE("creating a missing key") {
    CHECK(pool(load(kBase, {"services.web.queue=10"}), 0).queue == 10u);
    CHECK_FAILURE(failure(kBase, {"services.web.queue=abc"}), "--set services.web.queue=abc",
                  "services.web.queue", "expected a whole number from 0");
    CHECK_FAILURE(failure(kBase, {"services.web.qeue=10"}), "--set services.web.qeue=10",
                  "services.web.qeue", "unknown key 'qeue'", "did you mean 'queue'?");
  }
  SUBCASE("a replacement value is checked like the file") {
    const std::string bare = with("{dist: exponential, mean: 30ms}", "30ms");
    CHECK_FAILURE(failure(bare, {"services.web.service=&a [*a]"}),
                  "--set services.web.service=&a [*a]", "services.web.service[0]", "cycle");
    CHECK_FAILURE(failure(bare, {"services.web.service={dist: gamma, dist: constant}"}),
                  "--set services.web.service={dist: gamma, dist: constant}",
                  "services.web.service.dist", "duplicate key 'dist'");
    CHECK_FAILURE(failure(kBase, {"name=[a"}), "--set name=[a", "name",
                  "the value is not valid YAML");
    CHECK(
        pool(load(bare, {"services.web.service={dist: constant, value: 2s}"}), 0).service.mean() ==
        2.0);
  }
  SUBCASE("a value shared through an alias changes only where it is set") {
    const std::string shared = with("  web:",
                                    "  api:\n    type: server_pool\n    instances: 2\n"
                                    "    service: &svc {dist: exponential, mean: 30ms}\n"
                                    "  web:",
                                    with("{dist: exponential, mean: 30ms}", "*svc"));
    const Scenario s = load(shared, {"services.web.service.mean=50ms"});
    CHECK(pool(s, 0).service.mean() == doctest::Approx(0.03));
    CHECK(pool(s, 1).service.mean() == doctest::Approx(0.05));
    const std::string counts = with("    instances: 4", "    instances: &n 4\n    workers: *n");
    const Scenario c = load(counts, {"services.web.instances=6"});
    CHECK(pool(c, 0).instances == 6);
    CHECK(pool(c, 0).workers == 4);
    // Errors elsewhere in the rebuilt maps still point into the file.
    CHECK_FAILURE(failure(with("type: server_pool", "type: servr_pool", counts),
                          {"services.web.instances=6"}),
                  at(17, 11), "services.web.type", "did you mean 'server_pool'?");
    CHECK_FAILURE(
        failure(with("    type: server_pool\n", "", counts), {"services.web.instances=6"}),
        at(16, 3), "services.web.type", "missing required key 'type'");
  }
  SUBCASE("a malformed option") {
    CHECK_FAILURE(failure(kBase, {"services.web.instances"}), "--set services.web.instances", "",
                  "expected KEY.PATH=VALUE", "found \"services.web.instances\"");
    CHECK_FAILURE(failure(kBase, {"=5"}), "--set =5", "", "expected KEY.PATH=VALUE");
  }
}

TEST_CASE("units") {
  CHECK(parse_duration("250ms") == doctest::Approx(0.25));
  CHECK(parse_duration("1h30m") == doctest::Approx(5400));
  CHECK(parse_duration("1.5m") == doctest::Approx(90));
  CHECK(parse_duration("2") == doctest::Approx(2));
  CHECK(parse_duration("1e3ms") == doctest::Approx(1));
  CHECK_FALSE(parse_duration("-1s"));
  CHECK_FALSE(parse_duration("5 parsecs"));
  CHECK_FALSE(parse_duration(""));
  CHECK(parse_rate("3000/s") == doctest::Approx(3000));
  CHECK(parse_rate("180000/m") == doctest::Approx(3000));
  CHECK(parse_rate("5e6/h") == doctest::Approx(5e6 / 3600));
  CHECK(parse_rate("12.5") == doctest::Approx(12.5));
  CHECK_FALSE(parse_rate("10/week"));
  CHECK_FALSE(parse_number("0x10"));
  CHECK_FALSE(parse_number("nan"));
}

TEST_CASE("a full scenario round-trips into the structs") {
  const Scenario s = load(R"(
name: Harbolnas 12.12
description: midnight flash sale
currency: USD
duration: 1h30m
warmup: 5m
bucket: 30s
seed: 42
replications: 3
traffic:
  rate: 180000/m
journeys:
  buy:
    share: 0.7
    start: product
    think: {dist: exponential, mean: 2s}
    patience: {dist: uniform, min: 1s, max: 3s}
    patience_covers: queue
    retry: {max: 2, backoff: 250ms}
    pages:
      home:
        call: web
        think: 1.5
        next: {product: 0.6, exit: 0.4}
      product:
        call: api
        next: {home: 0.1, exit: 0.9}
  browse:
    share: 0.3
    pages:
      landing: {call: web, next: {exit: 1}}
services:
  web:
    type: server_pool
    instances: 20
    workers: 8
    queue: 500
    timeout: 2s
    service: {dist: lognormal, median: 30ms, sigma: 0.5}
  api: {type: server_pool, instances: 4, service: 40ms}
  gamma: {type: server_pool, instances: 1, service: {dist: gamma, mean: 20ms, cv: 2}}
  erlang: {type: server_pool, instances: 1, service: {dist: erlang, k: 3, mean: 30ms}}
  weibull: {type: server_pool, instances: 1, service: {dist: weibull, shape: 2, scale: 10ms}}
  empirical:
    type: server_pool
    instances: 1
    service: {dist: empirical, values: [1ms, 3ms], weights: [3, 1]}
  lognormal2: {type: server_pool, instances: 1, service: {dist: lognormal, mean: 50ms, cv: 0.5}}
  constant: {type: server_pool, instances: 1, service: {dist: constant, value: 5ms}}
slo: []
)");
  CHECK(s.name == "Harbolnas 12.12");
  CHECK(s.description == "midnight flash sale");
  CHECK(s.currency == "USD");
  CHECK(s.duration == doctest::Approx(5400));
  CHECK(s.warmup == doctest::Approx(300));
  CHECK(s.bucket == doctest::Approx(30));
  CHECK(s.seed == 42u);
  CHECK(s.replications == 3);
  CHECK(s.traffic.rate == doctest::Approx(3000));

  REQUIRE(s.journeys.size() == 2);
  const JourneyConfig& buy = s.journeys[0];
  CHECK(buy.name == "buy");
  CHECK(buy.share == doctest::Approx(0.7));
  CHECK(buy.start == "product");
  CHECK(buy.think.kind() == DistributionKind::exponential);
  CHECK(buy.think.mean() == doctest::Approx(2));
  REQUIRE(buy.patience);
  CHECK(buy.patience->kind() == DistributionKind::uniform);
  CHECK(buy.patience->mean() == doctest::Approx(2));
  CHECK(buy.patience_covers == PatienceCovers::queue);
  CHECK(buy.retry.max == 2);
  CHECK(buy.retry.backoff == doctest::Approx(0.25));
  REQUIRE(buy.pages.size() == 2);
  CHECK(buy.pages[0].name == "home");
  CHECK(buy.pages[0].call == "web");
  REQUIRE(buy.pages[0].think);
  CHECK(buy.pages[0].think->kind() == DistributionKind::constant);
  CHECK(buy.pages[0].think->mean() == doctest::Approx(1.5));
  CHECK(buy.pages[0].next ==
        std::vector<std::pair<std::string, double>>{{"product", 0.6}, {"exit", 0.4}});
  CHECK_FALSE(buy.pages[1].think);

  const JourneyConfig& browse = s.journeys[1];
  CHECK(browse.start == "landing");  // the first page by default
  CHECK(browse.think.mean() == 0.0);
  CHECK_FALSE(browse.patience);
  CHECK(browse.patience_covers == PatienceCovers::response);
  CHECK(browse.retry.max == 0);

  REQUIRE(s.services.size() == 8);
  CHECK(s.services[0].name == "web");
  REQUIRE(s.services[0].timeout);
  CHECK(*s.services[0].timeout == doctest::Approx(2));
  CHECK(pool(s, 0).instances == 20);
  CHECK(pool(s, 0).workers == 8);
  CHECK(pool(s, 0).queue == 500u);
  CHECK(pool(s, 0).service.kind() == DistributionKind::lognormal);
  CHECK(pool(s, 0).service.mean() == doctest::Approx(0.03 * std::exp(0.125)));
  CHECK_FALSE(s.services[1].timeout);
  CHECK(pool(s, 1).workers == 1);
  CHECK_FALSE(pool(s, 1).queue);
  CHECK(pool(s, 1).service.kind() == DistributionKind::constant);
  CHECK(pool(s, 1).service.mean() == doctest::Approx(0.04));
  const std::vector<std::pair<DistributionKind, double>> kinds = {
      {DistributionKind::gamma, 0.02},
      {DistributionKind::erlang, 0.03},
      {DistributionKind::weibull, 0.01 * std::tgamma(1.5)},
      {DistributionKind::empirical, 0.0015},
      {DistributionKind::lognormal, 0.05},
      {DistributionKind::constant, 0.005}};
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    CAPTURE(s.services[i + 2].name);
    CHECK(pool(s, i + 2).service.kind() == kinds[i].first);
    CHECK(pool(s, i + 2).service.mean() == doctest::Approx(kinds[i].second));
  }
  CHECK(pool(s, 3).service.scv() == doctest::Approx(1.0 / 3));  // erlang k = 3
  CHECK(pool(s, 2).service.scv() == doctest::Approx(4));        // gamma cv = 2
}

// --- every key of docs/scenario.md outside `traffic` --------------------------------

namespace {

// Every service type and every optional key; tests change one piece of it.
const std::string kShop = R"(name: shop
duration: 1h
traffic: {rate: 50}
journeys:
  buy:
    share: 1
    slowness: {above: 1s, per: 100ms, leave: 0.07}
    pages:
      home: {call: web, next: {pay: 0.3, exit: 0.7}}
      pay:
        call: checkout
        order: {value: {dist: uniform, min: 100, max: 300}}
        next: {exit: 1}
services:
  web:
    type: server_pool
    instances: 4
    workers: 8
    service: 20ms
    timeout: 2s
    outages: [{at: 10m, for: 1m, instances: 2}, {at: 20m, for: 30s}]
    calls: [{to: cache}, {to: db, p: 0.2}]
    autoscale: {target: 0.7, min: 2, max: 10, interval: 30s, delay: 1m, cooldown: 5m}
    crashes: {mtbf: 1h, mttr: 5m}
    cost_per_instance_hour: 0.5
  cache:
    type: cache
    hit_ratio: 0.9
    hit: 1ms
    miss: {to: db}
    workers: 64
    cold: [{at: 30m, warmup: 5m}]
    outages: [{at: 40m, for: 2m}]
  db:
    type: database
    connections: 50
    query: {dist: exponential, mean: 5ms}
    pool_timeout: 500ms
    contention: {above: 30, slowdown: 0.02}
  checkout:
    type: server_pool
    instances: 2
    service: 50ms
    calls: [{to: pay}]
  pay:
    type: payment_gateway
    timeout: 5s
    failover: true
    providers:
      - {name: bank_a, share: 0.6, latency: 400ms, concurrency: 100, decline: 0.05, error: 0.01}
      - {name: bank_b, share: 0.4, latency: 600ms, outages: [{at: 15m, for: 10m}]}
slo:
  - {name: p99, metric: latency_p99, scope: all, max: 2s}
  - {name: web_util, metric: utilization, scope: service.web, max: 0.8}
  - {name: pay_drop, metric: drop_rate, scope: page.buy.pay, max: 0.05}
  - {name: buy_errors, metric: error_rate, scope: journey.buy, max: 0.01}
  - {name: db_mean, metric: latency_mean, scope: service.db, max: 20ms}
  - {name: busy_enough, metric: utilization, scope: service.checkout, min: 0.1}
)";

std::string shop(const std::string& from, const std::string& to) {
  return with(from, to, kShop);
}

// The error for kShop with `from` replaced by `to`, expected at `needle` (+ offset)
// of the changed text.
// Where `needle` stands in `text`: its first occurrence at or after the replaced piece
// (which starts at `start`), else its only occurrence.
std::string changed_at(const std::string& text, std::size_t start, const std::string& needle,
                       std::size_t offset) {
  const std::size_t found = text.find(needle, start);
  return found == std::string::npos ? pos(text, needle, offset) : location_of(text, found + offset);
}

#define CHECK_SHOP_FAILURE(from, to, needle, offset, key_path, ...)                              \
  do {                                                                                           \
    const std::string text_ = shop(from, to);                                                    \
    CHECK_FAILURE(failure(text_), changed_at(text_, kShop.find(from), needle, offset), key_path, \
                  __VA_ARGS__);                                                                  \
  } while (false)

const CacheConfig& cache_of(const Scenario& s, std::size_t i) {
  return std::get<CacheConfig>(s.services.at(i).type);
}
const DatabaseConfig& database_of(const Scenario& s, std::size_t i) {
  return std::get<DatabaseConfig>(s.services.at(i).type);
}
const PaymentGatewayConfig& gateway_of(const Scenario& s, std::size_t i) {
  return std::get<PaymentGatewayConfig>(s.services.at(i).type);
}

}  // namespace

TEST_CASE("every key of the contract reads into the structs") {
  const Scenario s = load(kShop);
  CHECK(s.warnings.empty());
  const JourneyConfig& buy = s.journeys.at(0);
  REQUIRE(buy.slowness);
  CHECK(buy.slowness->above == doctest::Approx(1));
  CHECK(buy.slowness->per == doctest::Approx(0.1));
  CHECK(buy.slowness->leave == doctest::Approx(0.07));
  CHECK_FALSE(buy.pages.at(0).order_value);
  REQUIRE(buy.pages.at(1).order_value);
  CHECK(buy.pages[1].order_value->kind() == DistributionKind::uniform);
  CHECK(buy.pages[1].order_value->mean() == doctest::Approx(200));  // money: no units

  const ServiceConfig& web = s.services.at(0);
  CHECK(*web.timeout == doctest::Approx(2));
  REQUIRE(web.outages.size() == 2);
  CHECK(web.outages[0].at == doctest::Approx(600));
  CHECK(web.outages[0].duration == doctest::Approx(60));
  CHECK(web.outages[0].instances == 2);
  CHECK(web.outages[1].instances == 0);  // the whole pool
  const ServerPoolConfig& p = pool(s, 0);
  REQUIRE(p.calls.size() == 2);
  CHECK(p.calls[0].to == "cache");
  CHECK(p.calls[0].p == 1.0);  // the default
  CHECK(p.calls[1].to == "db");
  CHECK(p.calls[1].p == doctest::Approx(0.2));
  REQUIRE(p.autoscale);
  CHECK(p.autoscale->target == doctest::Approx(0.7));
  CHECK(p.autoscale->min == 2);
  CHECK(p.autoscale->max == 10);
  CHECK(p.autoscale->interval == doctest::Approx(30));
  CHECK(p.autoscale->delay == doctest::Approx(60));
  CHECK(p.autoscale->cooldown == doctest::Approx(300));
  REQUIRE(p.crashes);
  CHECK(p.crashes->mtbf == doctest::Approx(3600));
  CHECK(p.crashes->mttr == doctest::Approx(300));
  CHECK(p.cost_per_instance_hour == doctest::Approx(0.5));

  const CacheConfig& c = cache_of(s, 1);
  CHECK(c.hit_ratio == doctest::Approx(0.9));
  CHECK(c.hit.mean() == doctest::Approx(0.001));
  CHECK(c.miss_to == "db");
  CHECK(c.workers == 64u);
  REQUIRE(c.cold.size() == 1);
  CHECK(c.cold[0].at == doctest::Approx(1800));
  CHECK(c.cold[0].warmup == doctest::Approx(300));
  REQUIRE(s.services[1].outages.size() == 1);
  CHECK(s.services[1].outages[0].duration == doctest::Approx(120));

  const DatabaseConfig& d = database_of(s, 2);
  CHECK(d.connections == 50u);
  CHECK(d.query.kind() == DistributionKind::exponential);
  CHECK(*d.pool_timeout == doctest::Approx(0.5));
  REQUIRE(d.contention);
  CHECK(d.contention->above == 30u);
  CHECK(d.contention->slowdown == doctest::Approx(0.02));

  const PaymentGatewayConfig& g = gateway_of(s, 4);
  CHECK(g.failover);
  CHECK(*s.services[4].timeout == doctest::Approx(5));
  REQUIRE(g.providers.size() == 2);
  CHECK(g.providers[0].name == "bank_a");
  CHECK(g.providers[0].share == doctest::Approx(0.6));
  CHECK(g.providers[0].latency.mean() == doctest::Approx(0.4));
  CHECK(g.providers[0].concurrency == 100u);
  CHECK(g.providers[0].decline == doctest::Approx(0.05));
  CHECK(g.providers[0].error == doctest::Approx(0.01));
  CHECK(g.providers[0].outages.empty());
  CHECK_FALSE(g.providers[1].concurrency);
  CHECK(g.providers[1].decline == 0.0);
  REQUIRE(g.providers[1].outages.size() == 1);
  CHECK(g.providers[1].outages[0].at == doctest::Approx(900));

  REQUIRE(s.slos.size() == 6);
  CHECK(s.slos[0].name == "p99");
  CHECK(s.slos[0].metric == SloMetric::latency_p99);
  CHECK(s.slos[0].scope_kind == SloScopeKind::all);
  CHECK(s.slos[0].scope == "all");
  CHECK(s.slos[0].target.empty());
  CHECK(s.slos[0].is_max);
  CHECK(s.slos[0].limit == doctest::Approx(2));
  CHECK(s.slos[1].metric == SloMetric::utilization);
  CHECK(s.slos[1].scope_kind == SloScopeKind::service);
  CHECK(s.slos[1].target == "web");
  CHECK(s.slos[1].limit == doctest::Approx(0.8));
  CHECK(s.slos[2].metric == SloMetric::drop_rate);
  CHECK(s.slos[2].scope_kind == SloScopeKind::page);
  CHECK(s.slos[2].scope == "page.buy.pay");
  CHECK(s.slos[2].target == "buy.pay");
  CHECK(s.slos[3].metric == SloMetric::error_rate);
  CHECK(s.slos[3].scope_kind == SloScopeKind::journey);
  CHECK(s.slos[3].target == "buy");
  CHECK(s.slos[4].metric == SloMetric::latency_mean);
  CHECK(s.slos[4].limit == doctest::Approx(0.02));
  CHECK_FALSE(s.slos[5].is_max);
  CHECK(s.slos[5].limit == doctest::Approx(0.1));
}

TEST_CASE("defaults of the optional keys") {
  const Scenario s = load(shop("interval: 30s, delay: 1m, cooldown: 5m", "")
                              .replace(kShop.find("target: 0.7, min: 2, max: 10, "), 0, ""));
  CHECK(pool(s, 0).autoscale->interval == doctest::Approx(60));
  CHECK(pool(s, 0).autoscale->delay == 0.0);
  CHECK(pool(s, 0).autoscale->cooldown == 0.0);
  const Scenario b = load(kBase);
  CHECK_FALSE(b.journeys[0].slowness);
  CHECK(pool(b, 0).calls.empty());
  CHECK_FALSE(pool(b, 0).autoscale);
  CHECK_FALSE(pool(b, 0).crashes);
  CHECK(pool(b, 0).cost_per_instance_hour == 0.0);
  CHECK(b.services[0].outages.empty());
  CHECK(b.slos.empty());
  CHECK(load(shop("    failover: true\n", "")).services[4].type.index() == 3);
  CHECK_FALSE(gateway_of(load(shop("    failover: true\n", "")), 4).failover);
  CHECK_FALSE(cache_of(load(shop("    workers: 64\n", "")), 1).workers);
  CHECK(load(kBase + "slo:\n").slos.empty());
  // Empty lists written as `key:` with nothing.
  CHECK(pool(load(with("    instances: 4", "    instances: 4\n    calls:")), 0).calls.empty());
}

TEST_CASE("slowness") {
  const std::string s = "slowness: {above: 1s, per: 100ms, leave: 0.07}";
  CHECK_SHOP_FAILURE(s, "slowness: {above: 1s, per: 0, leave: 0.07}", "per: 0", 5,
                     "journeys.buy.slowness.per", "expected a duration > 0", "found \"0\"");
  CHECK_SHOP_FAILURE(s, "slowness: {above: 1s, per: 1s, leave: 1.5}", "1.5", 0,
                     "journeys.buy.slowness.leave", "expected a probability", "found \"1.5\"");
  CHECK_SHOP_FAILURE(s, "slowness: {above: -1s, per: 1s, leave: 0.5}", "-1s", 0,
                     "journeys.buy.slowness.above", "expected a duration", "found \"-1s\"");
  CHECK_SHOP_FAILURE(s, "slowness: {above: 1s, leave: 0.5}", "{above", 0,
                     "journeys.buy.slowness.per", "missing required key 'per'");
  CHECK_SHOP_FAILURE(s, "slowness: {above: 1s, per: 1s, leave: 0.5, leaves: 1}", "leaves", 0,
                     "journeys.buy.slowness.leaves", "unknown key 'leaves'",
                     "did you mean 'leave'?");
  CHECK_SHOP_FAILURE(s, "slowness: 1s", "1s", 0, "journeys.buy.slowness",
                     "expected a map with 'above', 'per' and 'leave'", "found \"1s\"");
}

TEST_CASE("order") {
  const std::string o = "order: {value: {dist: uniform, min: 100, max: 300}}";
  CHECK_SHOP_FAILURE(o, "order: {value: -5}", "-5", 0, "journeys.buy.pages.pay.order.value",
                     "expected an order value >= 0", "found \"-5\"");
  CHECK_SHOP_FAILURE(o, "order: {value: {dist: uniform, min: 300, max: 100}}", "max: 100", 5,
                     "journeys.buy.pages.pay.order.value.max", "max must be >= min");
  CHECK_SHOP_FAILURE(o, "order: {value: 100ms}", "100ms", 0, "journeys.buy.pages.pay.order.value",
                     "expected a number", "found \"100ms\"");
  CHECK_SHOP_FAILURE(o, "order: {valeu: 100}", "valeu", 0, "journeys.buy.pages.pay.order.valeu",
                     "unknown key 'valeu'", "did you mean 'value'?");
  CHECK_SHOP_FAILURE(o, "order: {}", "{}", 0, "journeys.buy.pages.pay.order.value",
                     "missing required key 'value'");
  CHECK_SHOP_FAILURE(o, "order: 100", "100", 0, "journeys.buy.pages.pay.order",
                     "expected a map with 'value'", "found \"100\"");
  CHECK(load(shop(o, "order: {value: 150000}")).journeys[0].pages[1].order_value->mean() ==
        150000.0);
}

TEST_CASE("timeout and outages, common to every service") {
  CHECK_SHOP_FAILURE("timeout: 2s", "timeout: 0s", "0s", 0, "services.web.timeout",
                     "expected a timeout > 0", "found \"0s\"");
  const std::string o = "outages: [{at: 10m, for: 1m, instances: 2}, {at: 20m, for: 30s}]";
  CHECK_SHOP_FAILURE(o, "outages: [{at: 10m, for: 0}]", "for: 0", 5, "services.web.outages[0].for",
                     "expected an outage length > 0", "found \"0\"");
  CHECK_SHOP_FAILURE(o, "outages: [{for: 1m}]", "{for: 1m}", 0, "services.web.outages[0].at",
                     "missing required key 'at'");
  CHECK_SHOP_FAILURE(o, "outages: [{at: 1m, for: 1m, fro: 1m}]", "fro", 0,
                     "services.web.outages[0].fro", "unknown key 'fro'", "did you mean 'for'?");
  CHECK_SHOP_FAILURE(o, "outages: [10m]", "10m]", 0, "services.web.outages[0]",
                     "expected an outage: a map with 'at' and 'for'", "found \"10m\"");
  CHECK_SHOP_FAILURE(o, "outages: {at: 10m, for: 1m}", "{at: 10m", 0, "services.web.outages",
                     "expected a list", "found a map");
  // Only a server pool can lose some of its instances, at most all of them.
  CHECK_SHOP_FAILURE(o, "outages: [{at: 10m, for: 1m, instances: 0}]", "instances: 0", 11,
                     "services.web.outages[0].instances", "expected a whole number from 1 to 4",
                     "found \"0\"");
  CHECK_SHOP_FAILURE(o, "outages: [{at: 10m, for: 1m, instances: 5}]", "instances: 5", 11,
                     "services.web.outages[0].instances", "expected a whole number from 1 to 4",
                     "found \"5\"");
  CHECK_SHOP_FAILURE("outages: [{at: 40m, for: 2m}]", "outages: [{at: 40m, for: 2m, instances: 1}]",
                     "instances: 1}]", 0, "services.cache.outages[0].instances",
                     "unknown key 'instances'", "known keys: at, for");
  CHECK_SHOP_FAILURE("outages: [{at: 15m, for: 10m}]",
                     "outages: [{at: 15m, for: 10m, instances: 1}]", "instances: 1}]", 0,
                     "services.pay.providers[1].outages[0].instances", "unknown key 'instances'");
}

TEST_CASE("server pool calls") {
  const std::string c = "calls: [{to: cache}, {to: db, p: 0.2}]";
  CHECK_SHOP_FAILURE(c, "calls: [{to: cache, p: 1.5}]", "1.5", 0, "services.web.calls[0].p",
                     "expected a probability", "found \"1.5\"");
  CHECK_SHOP_FAILURE(c, "calls: [{p: 0.5}]", "{p: 0.5}", 0, "services.web.calls[0].to",
                     "missing required key 'to'");
  CHECK_SHOP_FAILURE(c, "calls: [{to: cache, pp: 1}]", "pp", 0, "services.web.calls[0].pp",
                     "unknown key 'pp'", "known keys: to, p");
  CHECK_SHOP_FAILURE(c, "calls: [cache]", "cache]", 0, "services.web.calls[0]",
                     "expected a call: a map with 'to'", "found \"cache\"");
  CHECK_SHOP_FAILURE(c, "calls: cache", "cache\n", 0, "services.web.calls", "expected a list");
  CHECK_SHOP_FAILURE(c, "calls: [{to: my cache}]", "my cache", 0, "services.web.calls[0].to",
                     "expected a name");
}

TEST_CASE("autoscale") {
  const std::string a =
      "autoscale: {target: 0.7, min: 2, max: 10, interval: 30s, delay: 1m, "
      "cooldown: 5m}";
  auto as = [](const std::string& inner) { return "autoscale: {" + inner + "}"; };
  CHECK_SHOP_FAILURE(a, as("target: 0, min: 2, max: 10"), "target: 0", 8,
                     "services.web.autoscale.target", "expected a target utilisation in (0, 1]",
                     "found \"0\"");
  CHECK_SHOP_FAILURE(a, as("target: 1.2, min: 2, max: 10"), "1.2", 0,
                     "services.web.autoscale.target", "in (0, 1]", "found \"1.2\"");
  CHECK(load(shop(a, as("target: 1, min: 2, max: 10"))).services.size() == 5);
  CHECK_SHOP_FAILURE(a, as("target: 0.5, min: 0, max: 10"), "min: 0", 5,
                     "services.web.autoscale.min", "expected a whole number from 1", "found \"0\"");
  CHECK_SHOP_FAILURE(a, as("target: 0.5, min: 5, max: 3"), "max: 3", 5,
                     "services.web.autoscale.max", "expected a whole number from 5", "found \"3\"");
  CHECK_SHOP_FAILURE(a, as("target: 0.5, min: 1, max: 10, interval: 0"), "interval: 0", 10,
                     "services.web.autoscale.interval", "expected an interval > 0");
  CHECK_SHOP_FAILURE(a, as("target: 0.5, min: 1, max: 10, delay: -1s"), "-1s", 0,
                     "services.web.autoscale.delay", "expected a duration", "not negative");
  CHECK_SHOP_FAILURE(a, as("target: 0.5, min: 1, max: 10, cooldown: -1s"), "-1s", 0,
                     "services.web.autoscale.cooldown", "expected a duration", "not negative");
  CHECK_SHOP_FAILURE(a, as("target: 0.5, min: 5, max: 10"), "{target", 0, "services.web.autoscale",
                     "expected 'instances' (4) within [min, max] = [5, 10]");
  CHECK_SHOP_FAILURE(a, as("target: 0.5, min: 1, max: 2"), "{target", 0, "services.web.autoscale",
                     "expected 'instances' (4) within [min, max] = [1, 2]");
  const std::string wide = shop("workers: 8", "workers: 100");
  CHECK_FAILURE(failure(with(a, as("target: 0.5, min: 1, max: 1000000"), wide)),
                pos(with(a, as("target: 0.5, min: 1, max: 1000000"), wide), "1000000"),
                "services.web.autoscale.max", "at most 10000000 workers in all (max x workers)",
                "found 100000000");
  CHECK_SHOP_FAILURE(a, as("min: 1, max: 10"), "{min", 0, "services.web.autoscale.target",
                     "missing required key 'target'");
  CHECK_SHOP_FAILURE(a, as("target: 0.5, min: 1, max: 10, cooldwn: 1m"), "cooldwn", 0,
                     "services.web.autoscale.cooldwn", "did you mean 'cooldown'?");
}

TEST_CASE("crashes and cost") {
  const std::string c = "crashes: {mtbf: 1h, mttr: 5m}";
  CHECK_SHOP_FAILURE(c, "crashes: {mtbf: 0, mttr: 5m}", "mtbf: 0", 6, "services.web.crashes.mtbf",
                     "expected a mean time between failures > 0");
  CHECK_SHOP_FAILURE(c, "crashes: {mtbf: 1h, mttr: 0s}", "0s", 0, "services.web.crashes.mttr",
                     "expected a mean time to repair > 0");
  CHECK_SHOP_FAILURE(c, "crashes: {mtbf: 1h}", "{mtbf", 0, "services.web.crashes.mttr",
                     "missing required key 'mttr'");
  CHECK_SHOP_FAILURE(c, "crashes: {mtbf: 1h, mttr: 5m, mtbr: 1}", "mtbr", 0,
                     "services.web.crashes.mtbr", "unknown key 'mtbr'");
  CHECK_SHOP_FAILURE(c, "crashes: true", "true", 0, "services.web.crashes",
                     "expected a map with 'mtbf' and 'mttr'");
  CHECK_SHOP_FAILURE("cost_per_instance_hour: 0.5", "cost_per_instance_hour: -1", "-1", 0,
                     "services.web.cost_per_instance_hour", "expected a cost >= 0", "found \"-1\"");
  CHECK_SHOP_FAILURE("cost_per_instance_hour: 0.5", "cost_per_instance_hour: cheap", "cheap", 0,
                     "services.web.cost_per_instance_hour", "expected a number");
}

TEST_CASE("cache") {
  CHECK_SHOP_FAILURE("hit_ratio: 0.9", "hit_ratio: 1.1", "1.1", 0, "services.cache.hit_ratio",
                     "expected a probability", "found \"1.1\"");
  CHECK_SHOP_FAILURE("    hit: 1ms\n", "", "type: cache", 0, "services.cache.hit",
                     "missing required key 'hit'");
  CHECK_SHOP_FAILURE("    hit_ratio: 0.9\n", "", "type: cache", 0, "services.cache.hit_ratio",
                     "missing required key 'hit_ratio'");
  CHECK_SHOP_FAILURE("    miss: {to: db}\n", "", "type: cache", 0, "services.cache.miss",
                     "missing required key 'miss'");
  CHECK_SHOP_FAILURE("miss: {to: db}", "miss: db", "db\n", 0, "services.cache.miss",
                     "expected a map with 'to'", "found \"db\"");
  CHECK_SHOP_FAILURE("miss: {to: db}", "miss: {}", "{}", 0, "services.cache.miss.to",
                     "missing required key 'to'");
  CHECK_SHOP_FAILURE("miss: {to: db}", "miss: {to: db, p: 1}", "p: 1", 0, "services.cache.miss.p",
                     "unknown key 'p'", "known keys: to");
  CHECK_SHOP_FAILURE("workers: 64", "workers: 0", "workers: 0", 9, "services.cache.workers",
                     "expected a whole number from 1");
  CHECK_SHOP_FAILURE("cold: [{at: 30m, warmup: 5m}]", "cold: [{at: 30m, warmup: 0}]", "warmup: 0",
                     8, "services.cache.cold[0].warmup", "expected a warm-up > 0");
  CHECK_SHOP_FAILURE("cold: [{at: 30m, warmup: 5m}]", "cold: [{warmup: 5m}]", "{warmup", 0,
                     "services.cache.cold[0].at", "missing required key 'at'");
  CHECK_SHOP_FAILURE("cold: [{at: 30m, warmup: 5m}]", "cold: [30m]", "30m]", 0,
                     "services.cache.cold[0]", "expected a cold start");
  CHECK_SHOP_FAILURE(
      "    hit: 1ms\n", "    hit: 1ms\n    instances: 2\n", "instances: 2", 0,
      "services.cache.instances", "unknown key 'instances'",
      "known keys: type, timeout, outages, rate_limit, hit_ratio, hit, miss, workers, cold");
}

TEST_CASE("database") {
  CHECK_SHOP_FAILURE("connections: 50", "connections: 0", "connections: 0", 13,
                     "services.db.connections", "expected a whole number from 1");
  CHECK_SHOP_FAILURE("    query: {dist: exponential, mean: 5ms}\n", "", "type: database", 0,
                     "services.db.query", "missing required key 'query'");
  CHECK_SHOP_FAILURE("pool_timeout: 500ms", "pool_timeout: 0ms", "0ms", 0,
                     "services.db.pool_timeout", "expected a pool timeout > 0");
  const std::string c = "contention: {above: 30, slowdown: 0.02}";
  CHECK_SHOP_FAILURE(c, "contention: {above: 51, slowdown: 0.02}", "51", 0,
                     "services.db.contention.above", "expected a whole number from 0 to 50");
  CHECK_SHOP_FAILURE(c, "contention: {above: 30, slowdown: -0.1}", "-0.1", 0,
                     "services.db.contention.slowdown", "expected a slowdown >= 0");
  CHECK_SHOP_FAILURE(c, "contention: {above: 30}", "{above", 0, "services.db.contention.slowdown",
                     "missing required key 'slowdown'");
  CHECK_SHOP_FAILURE(c, "contention: 0.02", "0.02\n", 0, "services.db.contention",
                     "expected a map with 'above' and 'slowdown'");
  CHECK_SHOP_FAILURE(c, "contention: {above: 30, slowdwn: 0.1}", "slowdwn", 0,
                     "services.db.contention.slowdwn", "did you mean 'slowdown'?");
  CHECK_SHOP_FAILURE("    pool_timeout: 500ms\n", "    pool_timout: 500ms\n", "pool_timout", 0,
                     "services.db.pool_timout", "did you mean 'pool_timeout'?");
}

TEST_CASE("payment gateway") {
  const std::string a =
      "{name: bank_a, share: 0.6, latency: 400ms, concurrency: 100, decline: 0.05, error: 0.01}";
  auto provider = [](const std::string& inner) {
    return "{name: bank_a, share: 0.6, " + inner + "}";
  };
  CHECK_SHOP_FAILURE(a, provider("latency: 1s, decline: 0.7, error: 0.4"), "{name: bank_a", 0,
                     "services.pay.providers[0]", "expected decline + error <= 1", "found 1.1");
  CHECK_SHOP_FAILURE(a, provider("latency: 1s, decline: 1.5"), "1.5", 0,
                     "services.pay.providers[0].decline", "expected a probability");
  CHECK_SHOP_FAILURE(a, provider("latency: 1s, error: -0.1"), "-0.1", 0,
                     "services.pay.providers[0].error", "expected a probability");
  CHECK_SHOP_FAILURE(a, provider("latency: 1s, concurrency: 0"), "concurrency: 0", 13,
                     "services.pay.providers[0].concurrency", "expected a whole number from 1");
  CHECK_SHOP_FAILURE(a, "{name: bank_a, share: 0.6}", "{name: bank_a", 0,
                     "services.pay.providers[0].latency", "missing required key 'latency'");
  CHECK_SHOP_FAILURE(a, provider("latency: 1s, declines: 0.1"), "declines", 0,
                     "services.pay.providers[0].declines", "did you mean 'decline'?");
  CHECK_SHOP_FAILURE(a, "{share: 0.6, latency: 1s}", "{share: 0.6, latency: 1s}", 0,
                     "services.pay.providers[0].name", "missing required key 'name'");
  CHECK_SHOP_FAILURE("{name: bank_a", "{name: bank a", "bank a", 0,
                     "services.pay.providers[0].name", "expected a name");
  CHECK_SHOP_FAILURE("{name: bank_b", "{name: bank_a", "bank_a, share: 0.4", 0,
                     "services.pay.providers[1].name", "duplicate provider name 'bank_a'");
  CHECK_SHOP_FAILURE("share: 0.4", "share: 0.5", "      - {name: bank_a", 6,
                     "services.pay.providers", "provider shares that sum to 1",
                     "found a sum of 1.1");
  CHECK_SHOP_FAILURE("failover: true", "failover: yes", "yes", 0, "services.pay.failover",
                     "expected true or false", "found \"yes\"");
  const std::string providers =
      kShop.substr(kShop.find("    providers:"), kShop.find("slo:") - kShop.find("    providers:"));
  CHECK_SHOP_FAILURE(providers, "    providers: []\n", "[]", 0, "services.pay.providers",
                     "expected at least one provider");
  CHECK_SHOP_FAILURE(providers, "    providers: {bank: 1}\n", "{bank", 0, "services.pay.providers",
                     "expected a list", "found a map");
  CHECK_SHOP_FAILURE(a, "bank_a", "bank_a", 0, "services.pay.providers[0]",
                     "expected a provider: a map with 'name', 'share' and 'latency'");
  CHECK_SHOP_FAILURE("    failover: true\n", "    failover: true\n    instances: 2\n",
                     "instances: 2", 0, "services.pay.instances", "unknown key 'instances'",
                     "known keys: type, timeout, outages, rate_limit, providers, failover");
}

TEST_CASE("service types other than server pools") {
  CHECK_SHOP_FAILURE("type: cache", "type: cahce", "cahce", 0, "services.cache.type",
                     "expected a service type", "did you mean 'cache'?");
  // A server pool's keys are unknown to a database.
  CHECK_SHOP_FAILURE("    connections: 50\n", "    connections: 50\n    workers: 5\n", "workers: 5",
                     0, "services.db.workers", "unknown key 'workers'");
}

TEST_CASE("service-level objectives") {
  const std::string p99 = "{name: p99, metric: latency_p99, scope: all, max: 2s}";
  CHECK_SHOP_FAILURE(p99, "{name: p99, metric: latency_99, scope: all, max: 2s}", "latency_99", 0,
                     "slo[0].metric", "expected a metric: latency_p50, latency_p95",
                     "did you mean 'latency_p99'?");
  CHECK_SHOP_FAILURE(p99, "{name: p99, metric: latency_p99, scope: al, max: 2s}", "al,", 0,
                     "slo[0].scope", "expected a scope: all, journey.NAME, page.JOURNEY.PAGE",
                     "did you mean 'all'?");
  CHECK_SHOP_FAILURE(p99, "{name: p99, metric: latency_p99, scope: journey.biy, max: 2s}",
                     "journey.biy", 0, "slo[0].scope", "no journey named 'biy'",
                     "did you mean 'buy'?", "journeys: 'buy'");
  CHECK_SHOP_FAILURE(p99, "{name: p99, metric: latency_p99, scope: page.buy.pya, max: 2s}",
                     "page.buy.pya", 0, "slo[0].scope", "no page named 'buy.pya'",
                     "did you mean 'buy.pay'?");
  CHECK_SHOP_FAILURE(p99, "{name: p99, metric: latency_p99, scope: service.wbe, max: 2s}",
                     "service.wbe", 0, "slo[0].scope", "no service named 'wbe'",
                     "did you mean 'web'?");
  CHECK_SHOP_FAILURE(p99, "{name: p99, metric: latency_p99, scope: journey.buy.pay, max: 2s}",
                     "journey.buy.pay", 0, "slo[0].scope",
                     "expected a scope of the form journey.NAME");
  CHECK_SHOP_FAILURE(p99, "{name: p99, metric: utilization, scope: all, max: 0.8}", "all,", 0,
                     "slo[0].scope", "expected a service scope (service.NAME)", "'utilization'");
  CHECK_SHOP_FAILURE(p99, "{name: p99, metric: drop_rate, scope: service.web, max: 0.1}",
                     "service.web, max: 0.1", 0, "slo[0].scope", "for the metric 'drop_rate'");
  CHECK_SHOP_FAILURE(p99, "{name: p99, metric: latency_p99, scope: all, max: 2s, min: 1s}",
                     "min: 1s", 0, "slo[0].min", "expected exactly one of 'max' and 'min'",
                     "found both");
  CHECK_SHOP_FAILURE(p99, "{name: p99, metric: latency_p99, scope: all}", "{name: p99", 0, "slo[0]",
                     "expected exactly one of 'max' and 'min'", "found neither");
  CHECK_SHOP_FAILURE(p99, "{name: p99, metric: latency_p99, scope: all, max: fast}", "fast", 0,
                     "slo[0].max", "expected a duration", "found \"fast\"");
  CHECK_SHOP_FAILURE(p99, "{name: p99, metric: error_rate, scope: all, max: 2}", "2}", 0,
                     "slo[0].max", "expected a probability", "found \"2\"");
  CHECK_SHOP_FAILURE("{name: web_util", "{name: p99", "p99, metric: utilization", 0, "slo[1].name",
                     "duplicate SLO name 'p99'", "first at " + pos(kShop, "p99, metric", 0));
  CHECK_SHOP_FAILURE(p99, "{name: p99, metric: latency_p99, scope: all, max: 2s, maxx: 1}", "maxx",
                     0, "slo[0].maxx", "unknown key 'maxx'", "did you mean 'max'?");
  CHECK_SHOP_FAILURE(p99, "{metric: latency_p99, scope: all, max: 2s}", "{metric", 0, "slo[0].name",
                     "missing required key 'name'");
  CHECK_SHOP_FAILURE(p99, "{name: p99, scope: all, max: 2s}", "{name: p99, scope", 0,
                     "slo[0].metric", "missing required key 'metric'");
  CHECK_SHOP_FAILURE(p99, "{name: p99, metric: latency_p99, max: 2s}", "{name: p99, metric", 0,
                     "slo[0].scope", "missing required key 'scope'");
  CHECK_SHOP_FAILURE(p99, "p99", "p99\n", 0, "slo[0]", "expected an SLO: a map");
  CHECK_FAILURE(failure(kBase + "slo: {name: x}\n"), at(20, 6), "slo", "expected a list");
  // Every metric is accepted where it fits.
  for (const std::string metric : {"latency_p50", "latency_p95", "latency_mean", "error_rate"}) {
    CAPTURE(metric);
    CHECK_NOTHROW(
        load(shop(p99, "{name: p99, metric: " + metric + ", scope: service.db, max: 1}")));
  }
}

TEST_CASE("--set creates missing maps; validation catches typos in them") {
  CHECK(load(kBase, {"journeys.buy.retry.max=2"}).journeys[0].retry.max == 2);
  CHECK(load(kBase, {"journeys.buy.slowness.above=1s", "journeys.buy.slowness.per=1s",
                     "journeys.buy.slowness.leave=0.5"})
            .journeys[0]
            .slowness->leave == 0.5);
  CHECK(pool(load(kBase, {"services.web.crashes.mtbf=1h", "services.web.crashes.mttr=1m"}), 0)
            .crashes->mttr == 60.0);
  CHECK_FAILURE(failure(kBase, {"journeys.buy.retyr.max=2"}), "--set journeys.buy.retyr.max=2",
                "journeys.buy.retyr", "unknown key 'retyr'", "did you mean 'retry'?");
  CHECK_FAILURE(failure(kBase, {"services.web.crashes.mtbf=1h"}),
                "--set services.web.crashes.mtbf=1h", "services.web.crashes.mttr",
                "missing required key 'mttr'");
  CHECK_FAILURE(failure(kBase, {"services.web.crashes.mtbf=0"}),
                "--set services.web.crashes.mtbf=0", "services.web.crashes.mtbf",
                "expected a mean time between failures > 0");
  // A new service, journey or page that misses its required key is most likely a typo.
  CHECK_FAILURE(failure(kBase, {"services.wbe.instances=5"}), "--set services.wbe.instances=5",
                "services.wbe", "no service named 'wbe' (did you mean 'web'?)",
                "the override created it", "lacks 'type'");
  CHECK_FAILURE(failure(kBase, {"journeys.bye.share=1"}), "--set journeys.bye.share=1",
                "journeys.bye", "no journey named 'bye' (did you mean 'buy'?)");
  // A whole new service from the command line, one key at a time.
  const Scenario s = load(kBase, {"services.spare.type=server_pool", "services.spare.instances=2",
                                  "services.spare.service=10ms"});
  CHECK(s.services.size() == 2);
  REQUIRE(s.warnings.size() == 1);
  CHECK(s.warnings[0].starts_with("--set services.spare.type=server_pool: services.spare: "));
}

TEST_CASE("the resolved scenario text is the YAML after --set") {
  const Scenario s = load(kBase, {"services.web.instances=60", "journeys.buy.retry.max=2"});
  INFO(s.resolved_text);
  CHECK(s.resolved_text.find("instances: 60") != std::string::npos);
  CHECK(s.resolved_text.find("max: 2") != std::string::npos);
  // It loads back into the same scenario.
  const Scenario again = load(s.resolved_text);
  CHECK(pool(again, 0).instances == 60);
  CHECK(again.journeys[0].retry.max == 2);
  CHECK(again.resolved_text == s.resolved_text);
}
