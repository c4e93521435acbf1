// The call graph (Boost.Graph): the load-time checks of docs/scenario.md made on it, with
// errors that point at the YAML node responsible; callees-first order for the analytic
// estimate; Graphviz DOT for `surgesim graph`.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "models/analysis/call_graph.hpp"
#include "models/loader/scenario_loader.hpp"
#include "models/yaml/scenario_error.hpp"

using namespace surgesim::models;

namespace {

// web -> api -> {db, search}; cache in front of search; one journey over two pages.
const std::string kTiers = R"(name: tiers
duration: 1h
traffic: {rate: 10}
journeys:
  buy:
    share: 1
    pages:
      home: {call: web, next: {cart: 0.4, exit: 0.6}}
      cart: {call: api, next: {home: 0.5, exit: 0.5}}
services:
  web:
    type: server_pool
    instances: 20
    workers: 16
    service: 5ms
    calls: [{to: api, p: 0.8}]
  api:
    type: server_pool
    instances: 4
    service: 10ms
    calls: [{to: db}, {to: cache, p: 0.3}]
  cache: {type: cache, hit_ratio: 0.75, hit: 1ms, miss: {to: search}}
  search: {type: server_pool, instances: 2, service: 30ms}
  db: {type: database, connections: 10, query: 5ms}
)";

std::string with(const std::string& from, const std::string& to, std::string text = kTiers) {
  const std::size_t at = text.find(from);
  REQUIRE_MESSAGE(at != std::string::npos, "not in the scenario: " << from);
  REQUIRE_MESSAGE(text.find(from, at + 1) == std::string::npos, "ambiguous: " << from);
  return text.replace(at, from.size(), to);
}

// "test.yaml:line:column" of the first `needle` in `text`, plus `offset`.
std::string pos(const std::string& text, const std::string& needle, std::size_t offset = 0) {
  const std::size_t found = text.find(needle);
  REQUIRE_MESSAGE(found != std::string::npos, "not in the scenario: " << needle);
  const std::size_t index = found + offset;
  const auto line =
      std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(index), '\n');
  const std::size_t line_start = text.rfind('\n', index - 1);
  return "test.yaml:" + std::to_string(line + 1) + ":" + std::to_string(index - line_start);
}

Scenario load(const std::string& text) {
  return load_scenario_text(text, "test.yaml");
}

ScenarioError failure(const std::string& text) {
  try {
    load(text);
  } catch (const ScenarioError& e) {
    return e;
  }
  FAIL("loaded without an error:\n" << text);
  return ScenarioError("", "", "");
}

// Checks where an error points, its key path, and that the problem holds every word.
void check_failure(const std::string& text, const std::string& where, const std::string& path,
                   std::initializer_list<std::string> words) {
  const ScenarioError e = failure(text);
  INFO("message: " << e.what());
  CHECK(e.location() == where);
  CHECK(e.key_path() == path);
  for (const std::string& w : words) {
    CHECK_MESSAGE(e.problem().find(w) != std::string::npos, "missing words: " << w);
  }
}

std::vector<std::size_t> indices(std::initializer_list<std::size_t> xs) {
  return xs;
}

}  // namespace

TEST_CASE("the graph has a vertex per journey, page, exit and service, and an edge per link") {
  const Scenario s = load(kTiers);
  const CallGraph g = build_call_graph(s);
  CHECK(num_vertices(g.graph) == 1 + 2 + 1 + 5);
  // start, 4 next, 2 page calls, 3 pool calls, 1 miss
  CHECK(num_edges(g.graph) == 1 + 4 + 2 + 3 + 1);
  CHECK(g.unknown.empty());
  const auto edge_between = [&](CallVertexId a, CallVertexId b) {
    const auto [e, found] = boost::edge(a, b, g.graph);
    REQUIRE(found);
    return g.graph[e];
  };
  CHECK(edge_between(g.journeys[0], g.pages[0][0]).kind == CallEdgeKind::start);
  CHECK(edge_between(g.pages[0][0], g.pages[0][1]).p == doctest::Approx(0.4));
  CHECK(edge_between(g.pages[0][0], g.exits[0]).p == doctest::Approx(0.6));
  CHECK(edge_between(g.pages[0][1], g.services[1]).kind == CallEdgeKind::call);
  CHECK(edge_between(g.services[0], g.services[1]).p == doctest::Approx(0.8));
  CHECK(edge_between(g.services[1], g.services[2]).kind == CallEdgeKind::calls);
  const CallEdge miss = edge_between(g.services[2], g.services[3]);
  CHECK(miss.kind == CallEdgeKind::miss);
  CHECK(miss.p == doctest::Approx(0.25));
}

TEST_CASE("every call, calls.to and miss.to names an existing service") {
  const std::string page = with("{call: api, next", "{call: apii, next");
  check_failure(page, pos(page, "apii"), "journeys.buy.pages.cart.call",
                {"no service named 'apii'", "(did you mean 'api'?)",
                 "services: 'web', 'api', 'cache', 'search', 'db'"});
  const std::string calls = with("{to: db}", "{to: bd}");
  check_failure(calls, pos(calls, "bd}"), "services.api.calls[0].to",
                {"no service named 'bd'", "(did you mean 'db'?)", "services: 'web'"});
  const std::string second = with("{to: cache, p: 0.3}", "{to: cahce, p: 0.3}");
  check_failure(second, pos(second, "cahce"), "services.api.calls[1].to",
                {"no service named 'cahce'", "did you mean 'cache'?"});
  const std::string miss = with("miss: {to: search}", "miss: {to: serch}");
  check_failure(miss, pos(miss, "serch"), "services.cache.miss.to",
                {"no service named 'serch'", "did you mean 'search'?"});
  // Far from every name: no guess, only the list.
  const ScenarioError e = failure(with("{to: db}", "{to: zzzzzz}"));
  CHECK(std::string(e.what()).find("did you mean") == std::string::npos);
}

TEST_CASE("no service reaches itself through calls or cache misses") {
  // Spelled out along the loop, pointing at the call that closes it.
  const std::string loop = with("{to: db}", "{to: web}");
  check_failure(loop, pos(loop, "web}"), "services.api.calls[0].to",
                {"calls loop: web -> api -> web", "must not reach itself"});
  const std::string self = with("[{to: api, p: 0.8}]", "[{to: web, p: 0.8}]");
  check_failure(self, pos(self, "web, p: 0.8"), "services.web.calls[0].to",
                {"calls loop: web -> web"});
  // Through a cache miss: web -> api -> cache -> search -> web.
  const std::string through_cache =
      with("search: {type: server_pool, instances: 2, service: 30ms}",
           "search: {type: server_pool, instances: 2, service: 30ms, calls: [{to: web}]}");
  check_failure(through_cache, pos(through_cache, "web}]"), "services.search.calls[0].to",
                {"calls loop: web -> api -> cache -> search -> web"});
  const std::string miss_loop = with("miss: {to: search}", "miss: {to: api}");
  check_failure(miss_loop, pos(miss_loop, "api}"), "services.cache.miss.to",
                {"calls loop: api -> cache -> api"});
  // A call that never happens (p = 0) cannot recurse.
  CHECK_NOTHROW(load(with("[{to: api, p: 0.8}]", "[{to: web, p: 0}]")));
}

TEST_CASE("every page is reachable from its journey's start and can reach exit") {
  const CallGraph g = build_call_graph(load(kTiers));
  CHECK(unreachable_pages(g, 0).empty());
  CHECK(pages_without_exit(g, 0).empty());
  const std::string lost =
      with("      cart:", "      lost: {call: web, next: {exit: 1}}\n      cart:");
  check_failure(lost, pos(lost, "lost:"), "journeys.buy.pages.lost",
                {"page 'lost' cannot be reached from the start page 'home'"});
  const std::string zero = with("{cart: 0.4, exit: 0.6}", "{cart: 0, exit: 1}");
  check_failure(zero, pos(zero, "cart: {call"), "journeys.buy.pages.cart",
                {"cannot be reached", "probability > 0"});
  const std::string trap = with("{home: 0.5, exit: 0.5}", "{cart: 1}");
  check_failure(trap, pos(trap, "cart: {call"), "journeys.buy.pages.cart",
                {"from page 'cart' a session can never reach 'exit'"});
  // A loop of two pages without a way out: the first page is named first.
  const std::string two = with("{cart: 0.4, exit: 0.6}", "{cart: 1}", trap);
  check_failure(two, pos(two, "home: {call"), "journeys.buy.pages.home",
                {"from page 'home' a session can never reach 'exit'"});
}

TEST_CASE("a service no page reaches, directly or through calls, is a warning") {
  CHECK(load(kTiers).warnings.empty());  // search is reached only through the cache's misses
  const std::string spare =
      kTiers + "  spare: {type: server_pool, instances: 1, service: 1ms, calls: [{to: db}]}\n";
  const Scenario s = load(spare);
  REQUIRE(s.warnings.size() == 1);
  CHECK(s.warnings[0] == pos(spare, "spare:") +
                             ": services.spare: no page calls this service, directly or through "
                             "other services, so it receives no requests");
  // Calls that never happen reach nothing.
  const Scenario off = load(with("[{to: api, p: 0.8}]", "[{to: api, p: 0}]",
                                 with("{call: api, next", "{call: web, next")));
  std::vector<std::string> unreached;
  for (const std::string& w : off.warnings) unreached.push_back(w.substr(w.find("services.")));
  CHECK(unreached.size() == 4);  // api, cache, search, db
  const CallGraph g = build_call_graph(load(spare));
  CHECK(unreached_services(g) == indices({5}));
}

TEST_CASE("services in callees-first order") {
  const std::vector<std::string> order = topological_services(load(kTiers));
  REQUIRE(order.size() == 5);
  const auto before = [&](const std::string& callee, const std::string& caller) {
    return std::find(order.begin(), order.end(), callee) <
           std::find(order.begin(), order.end(), caller);
  };
  CHECK(before("api", "web"));
  CHECK(before("db", "api"));
  CHECK(before("cache", "api"));
  CHECK(before("search", "cache"));
}

TEST_CASE("find_call_cycle on a graph without a loop") {
  CHECK(find_call_cycle(build_call_graph(load(kTiers))).empty());
}

TEST_CASE("DOT: a cluster per journey, pages, services with type and size, labelled edges") {
  const std::string dot = to_dot(load(with("{call: api, next: {home: 0.5, exit: 0.5}}",
                                           "{call: api, order: {value: 100}, next: {home: 0.5, "
                                           "exit: 0.5}}")));
  INFO(dot);
  for (const std::string line : {
           "digraph \"tiers\" {",
           "subgraph \"cluster_buy\" {",
           "\"journey:buy\" -> \"page:buy.home\";",
           "\"page:buy.home\" -> \"page:buy.cart\" [label=\"0.4\"];",
           "\"page:buy.home\" -> \"exit:buy\" [label=\"0.6\"];",
           "\"page:buy.cart\" -> \"page:buy.home\" [label=\"0.5\"];",
           "\"page:buy.cart\" [shape=box, label=\"cart\", peripheries=2];",  // an order page
           "\"page:buy.home\" -> \"service:web\" [style=dashed];",
           "\"page:buy.cart\" -> \"service:api\" [style=dashed];",
           "\"service:web\" -> \"service:api\" [label=\"0.8\"];",
           "\"service:api\" -> \"service:db\" [label=\"1\"];",
           "\"service:api\" -> \"service:cache\" [label=\"0.3\"];",
           "\"service:cache\" -> \"service:search\" [label=\"miss 0.25\"];",
           "\"service:web\" [shape=component, label=\"web\\nserver_pool 20x16\"];",
           "\"service:cache\" [shape=component, label=\"cache\\ncache 75% hits\"];",
           "\"service:db\" [shape=component, label=\"db\\ndatabase 10 connections\"];",
       }) {
    CHECK_MESSAGE(dot.find(line) != std::string::npos, "missing: " << line);
  }
  // Balanced braces: one for the graph, one per cluster.
  CHECK(std::count(dot.begin(), dot.end(), '{') == std::count(dot.begin(), dot.end(), '}'));
  CHECK(dot.ends_with("}\n"));
}

TEST_CASE("the call graph as text, for surgesim check") {
  CHECK(to_text(load(kTiers)) ==
        "Call graph\n"
        "  journey buy: home -> web, cart -> api\n"
        "  web [server_pool 20x16] -> api (p 0.8)\n"
        "  api [server_pool 4x1] -> db (p 1), cache (p 0.3)\n"
        "  cache [cache 75% hits] -> search (miss 0.25)\n"
        "  search [server_pool 2x1]\n"
        "  db [database 10 connections]\n");
}

namespace {

struct CliResult {
  int status = -1;
  std::string out;
};

CliResult cli(const std::string& args) {
  const std::string command = std::string(SURGESIM_CLI) + " " + args + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  CliResult r;
  std::array<char, 4096> buffer{};
  while (const std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) {
    r.out.append(buffer.data(), n);
  }
  const int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace

TEST_CASE("surgesim graph: stdout, -o by rename, exit statuses as for check") {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("surgesim-graph-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string scenario = (dir / "tiers.yaml").string();
  std::ofstream(scenario) << kTiers;

  const CliResult printed = cli("graph " + scenario);
  CHECK(printed.status == 0);
  CHECK(printed.out == to_dot(load(kTiers)));

  const std::string dot = (dir / "tiers.dot").string();
  const CliResult written =
      cli("graph " + scenario + " -o " + dot + " --set services.web.instances=7");
  CHECK(written.status == 0);
  CHECK(written.out.empty());
  std::stringstream text;
  text << std::ifstream(dot).rdbuf();
  CHECK(text.str().find("web\\nserver_pool 7x16") != std::string::npos);
  // Nothing but the scenario and the graph: the temporary file was renamed.
  CHECK(std::distance(std::filesystem::directory_iterator(dir), {}) == 2);

  CHECK(cli("graph " + scenario + " --set services.web.instances=x").status == 2);
  CHECK(cli("graph " + (dir / "missing.yaml").string()).status == 2);
  CHECK(cli("graph").status == 2);
  // Like run's -o: a place that cannot take the file is a usage error, found before loading.
  CHECK(cli("graph " + scenario + " -o " + (dir / "no" / "such" / "dir.dot").string()).status == 2);
  CHECK(cli("graph " + scenario + " -o /dev/null").status == 2);
  std::filesystem::remove_all(dir);
}
