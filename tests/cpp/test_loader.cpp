// Tests for the scenario loader: one test case per kind of error, each pinning where the
// message points (line:column or the --set option), the key path and the words that
// tell the user what was expected and what was found; and a full scenario read back.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include "models/loader/scenario_error.hpp"
#include "models/loader/scenario_loader.hpp"
#include "models/loader/units.hpp"

using namespace surgesim::models;
using surgesim::sim::DistributionKind;

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

struct Failure {
  std::string location, path, problem, message;
};

Failure failure(const std::string& text, const std::vector<std::string>& sets = {}) {
  try {
    load(text, sets);
  } catch (const ScenarioError& e) {
    return {e.location(), e.key_path(), e.problem(), e.what()};
  }
  FAIL("loaded without an error:\n" << text);
  return {};
}

std::string at(int line, int column) {
  return "test.yaml:" + std::to_string(line) + ":" + std::to_string(column);
}

// Checks where an error points, its key path, and that the problem holds every word.
#define CHECK_FAILURE(failure_expr, where, key_path, ...)                               \
  do {                                                                                  \
    const Failure f_ = (failure_expr);                                                  \
    INFO("message: " << f_.message);                                                    \
    CHECK(f_.location == (where));                                                      \
    CHECK(f_.path == (key_path));                                                       \
    for (const std::string& w_ : std::initializer_list<std::string>{__VA_ARGS__}) {     \
      CHECK_MESSAGE(f_.problem.find(w_) != std::string::npos, "missing words: " << w_); \
    }                                                                                   \
    CHECK(f_.message ==                                                                 \
          f_.location + ": " + (f_.path.empty() ? "" : f_.path + ": ") + f_.problem);   \
  } while (false)

const ServerPoolConfig& pool(const Scenario& s, std::size_t i) {
  return std::get<ServerPoolConfig>(s.services.at(i).kind);
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
  CHECK_FAILURE(failure("- name\n"), at(1, 1), "", "expected a scenario", "found a list");
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
    CHECK_FAILURE(failure(kBase, {"services.wbe.instances=5"}), "--set services.wbe.instances=5",
                  "services.wbe", "no such key", "(did you mean 'web'?)", "keys here: web");
    CHECK_FAILURE(failure(kBase, {"services.web.instances.x=5"}),
                  "--set services.web.instances.x=5", "services.web.instances",
                  "expected a map or a list to look up 'x' in", "found \"4\"");
    CHECK_FAILURE(failure(kBase, {"services..web=5"}), "--set services..web=5", "services..web",
                  "without empty keys");
  }
  SUBCASE("a path that points at a map") {
    CHECK_FAILURE(failure(kBase, {"services.web=5"}), "--set services.web=5", "services.web",
                  "expected a single value to replace, found a map",
                  "set one of its keys instead: type, instances, service");
  }
  SUBCASE("list indices") {
    const std::string empirical =
        with("{dist: exponential, mean: 30ms}", "{dist: empirical, values: [1ms, 2ms, 3ms]}");
    CHECK(pool(load(empirical, {"services.web.service.values.1=8ms"}), 0).service.mean() ==
          doctest::Approx(0.004));
    CHECK_FAILURE(failure(empirical, {"services.web.service.values.1=abc"}),
                  "--set services.web.service.values.1=abc", "services.web.service.values[1]",
                  "expected a duration", "found \"abc\"");
    CHECK_FAILURE(failure(empirical, {"services.web.service.values.3=1ms"}),
                  "--set services.web.service.values.3=1ms", "services.web.service.values",
                  "expected a list index from 0 to 2", "found \"3\"");
  }
  SUBCASE("creating a missing last key") {
    CHECK(pool(load(kBase, {"services.web.queue=10"}), 0).queue == 10u);
    // Only the last key: a missing map on the way is more likely a typo.
    CHECK_FAILURE(failure(kBase, {"journeys.buy.retry.max=2"}), "--set journeys.buy.retry.max=2",
                  "journeys.buy.retry", "no such key", "keys here: share, pages");
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
