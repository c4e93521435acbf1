// The table of service types: every listed type provides what the code base dispatches
// on (a missing function is a compile error, shown here as concept checks), a config of
// a type not in the table cannot be stored, and the YAML names come from the table.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <type_traits>

#include "models/analysis/analytic_estimate.hpp"
#include "models/loader/scenario_loader.hpp"
#include "models/services/service_types.hpp"
#include "tests/cpp/scenario_failure.hpp"

using namespace surgesim;
using models::ServiceType;
using testing::at;
using testing::failure_of;

namespace {

// A type someone started and did not finish: it has a config and a name only.
struct UnfinishedConfig {};
struct UnfinishedType {
  using Config = UnfinishedConfig;
  static constexpr std::string_view name = "unfinished";
};

template <class... Types>
concept Listable = requires {
  typename models::ServiceTypeList<Types...>;
};

}  // namespace

// Each listed type provides every function; one that does not cannot join the table.
static_assert(ServiceType<models::ServerPoolType>);
static_assert(ServiceType<models::CacheType>);
static_assert(ServiceType<models::DatabaseType>);
static_assert(ServiceType<models::PaymentGatewayType>);
static_assert(!ServiceType<UnfinishedType>);
static_assert(Listable<models::ServerPoolType, models::CacheType>);
static_assert(!Listable<models::ServerPoolType, UnfinishedType>);
// A service's config is one of the table's types, nothing else.
static_assert(std::is_assignable_v<models::ServiceTypes::Configs&, models::DatabaseConfig>);
static_assert(!std::is_assignable_v<models::ServiceTypes::Configs&, UnfinishedConfig>);

namespace {

const char* const kShop = R"(name: every-type
duration: 1m
traffic: {rate: 1}
journeys:
  j: {share: 1, pages: {p: {call: web, next: {exit: 1}}}}
services:
  web: {type: server_pool, instances: 2, workers: 3, service: 10ms,
        calls: [{to: cache}, {to: pay, p: 0.25}]}
  cache: {type: cache, hit_ratio: 0.9, hit: 1ms, miss: {to: db}}
  db: {type: database, connections: 4, query: 5ms}
  pay: {type: payment_gateway, providers: [{name: bank, share: 1, latency: 100ms}]}
)";

}  // namespace

TEST_CASE("the table dispatches every type: names, callees, size labels, estimates") {
  const models::Scenario s = models::load_scenario_text(kShop, "test.yaml");
  const std::vector<std::string_view> names = models::service_type_names();
  REQUIRE(names.size() == std::variant_size_v<models::ServiceTypes::Configs>);
  for (std::size_t i = 0; i < s.services.size(); ++i) {
    CHECK(models::type_name(s.services[i]) == names[i]);
    CHECK(s.services[i].type.index() == i);
  }
  const auto web = models::callees(s.services[0]);
  REQUIRE(web.size() == 2);
  CHECK(web[1].to == "pay");
  CHECK(web[1].p == 0.25);
  CHECK(web[1].key == "calls.1.to");
  const auto cache = models::callees(s.services[1]);
  REQUIRE(cache.size() == 1);
  CHECK(cache[0].kind == models::CalleeKind::miss);
  CHECK(cache[0].p == doctest::Approx(0.1));
  CHECK(cache[0].key == "miss.to");
  CHECK(models::callees(s.services[2]).empty());
  CHECK(models::size_label(s.services[0]) == "server_pool 2x3");
  CHECK(models::size_label(s.services[2]) == "database 4 connections");
  const models::AnalyticEstimate e = models::estimate(s);
  for (std::size_t i = 0; i < s.services.size(); ++i) {
    CHECK(e.services[i].type == std::string(names[i]));
    CHECK(e.services[i].arrival_rate > 0.0);
  }
}

TEST_CASE("an unknown type names every type of the table") {
  const std::string text =
      "name: x\nduration: 1m\ntraffic: {rate: 1}\n"
      "journeys:\n  j: {share: 1, pages: {p: {call: web, next: {exit: 1}}}}\n"
      "services:\n  web: {type: server_poll, instances: 1, service: 1s}\n";
  CHECK_FAILURE(failure_of([&] { models::load_scenario_text(text, "test.yaml"); }, text), at(7, 15),
                "services.web.type", "server_pool, cache, database, payment_gateway",
                "server_pool");
}

TEST_CASE("an unknown callee points at the key the type says it came from") {
  std::string text = kShop;
  text.replace(text.find("{to: pay, p: 0.25}"), 18, "{to: pai, p: 0.25}");
  CHECK_FAILURE(failure_of([&] { models::load_scenario_text(text, "test.yaml"); }, text), at(8, 35),
                "services.web.calls[1].to", "no service named 'pai'", "pay");
}
