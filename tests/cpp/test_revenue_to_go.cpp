// Revenue-to-go of a journey: expected revenue from a page to the end of the session,
// that page included, from the fundamental matrix of the journey's absorbing chain.
#include <doctest/doctest.h>

#include <stdexcept>

#include "models/sessions/journey_chain.hpp"
#include "models/sessions/revenue_to_go.hpp"
#include "sim/confidence.hpp"
#include "sim/random_stream.hpp"

using namespace surgesim;
using models::JourneyConfig;
using models::PageConfig;
using sim::Distribution;

namespace {

PageConfig page(std::string name, std::vector<std::pair<std::string, double>> next,
                std::optional<Distribution> order = std::nullopt) {
  PageConfig p;
  p.name = std::move(name);
  p.call = "web";
  p.next = std::move(next);
  p.order_value = std::move(order);
  return p;
}

JourneyConfig journey(std::vector<PageConfig> pages) {
  JourneyConfig j;
  j.name = "buy";
  j.share = 1.0;
  j.start = pages.front().name;
  j.pages = std::move(pages);
  return j;
}

// Walks the chain like the engine does (every visit to an order page is an order) and
// returns the revenue of one session from `from`, counting each order at its mean value.
double walk(const JourneyConfig& j, std::size_t from, sim::RandomStream& rng) {
  double revenue = 0.0;
  std::size_t at = from;
  for (;;) {
    const PageConfig& p = j.pages[at];
    if (p.order_value) revenue += p.order_value->mean();
    double u = rng.uniform01();
    std::string to = p.next.back().first;
    for (const auto& [name, prob] : p.next) {
      if (u < prob) {
        to = name;
        break;
      }
      u -= prob;
    }
    if (to == models::kExit) return revenue;
    for (std::size_t i = 0; i < j.pages.size(); ++i) {
      if (j.pages[i].name == to) at = i;
    }
  }
}

}  // namespace

TEST_CASE("linear funnel: each step multiplies the chance of reaching the order page") {
  const auto j = journey({page("home", {{"product", 0.6}, {"exit", 0.4}}),
                          page("product", {{"cart", 0.5}, {"exit", 0.5}}),
                          page("cart", {{"pay", 0.8}, {"exit", 0.2}}),
                          page("pay", {{"exit", 1.0}}, Distribution::constant(100000))});
  const auto r = models::revenue_to_go(j);
  REQUIRE(r.size() == 4);
  CHECK(r[3] == doctest::Approx(100000));  // the order page itself counts
  CHECK(r[2] == doctest::Approx(80000));
  CHECK(r[1] == doctest::Approx(40000));
  CHECK(r[0] == doctest::Approx(24000));
  CHECK(models::expected_revenue_per_session(j) == doctest::Approx(24000));
}

TEST_CASE("a loop back to an earlier page adds the revenue of the second pass") {
  // search -> search 0.25, product 0.5; product -> pay 0.4, search 0.3:
  // r_p = 0.4*200 + 0.3 r_s, r_s = 0.25 r_s + 0.5 r_p  =>  r_s = 200/3, r_p = 100.
  const auto j = journey({page("home", {{"search", 1.0}}),
                          page("search", {{"search", 0.25}, {"product", 0.5}, {"exit", 0.25}}),
                          page("product", {{"pay", 0.4}, {"search", 0.3}, {"exit", 0.3}}),
                          page("pay", {{"exit", 1.0}}, Distribution::exponential(200))});
  const auto r = models::revenue_to_go(j);
  CHECK(r[3] == doctest::Approx(200));  // the mean of the order value distribution
  CHECK(r[2] == doctest::Approx(100));
  CHECK(r[1] == doctest::Approx(200.0 / 3.0));
  CHECK(r[0] == doctest::Approx(200.0 / 3.0));
}

TEST_CASE("an order page visited again counts every visit's order, not the chance to reach it") {
  // a (order 10) -> b 0.5; b (order 1000) -> a 0.5: r_a = 10 + 0.5 r_b, r_b = 1000 + 0.5 r_a.
  const auto two = journey({page("a", {{"b", 0.5}, {"exit", 0.5}}, Distribution::constant(10)),
                            page("b", {{"a", 0.5}, {"exit", 0.5}}, Distribution::constant(1000))});
  const auto r = models::revenue_to_go(two);
  CHECK(r[0] == doctest::Approx(680));
  CHECK(r[1] == doctest::Approx(1340));

  // "Buy again" on the same page: expected visits 2, so twice the order value (the
  // probability of reaching it is only 1).
  const auto again =
      journey({page("home", {{"pay", 1.0}}),
               page("pay", {{"pay", 0.5}, {"exit", 0.5}}, Distribution::uniform(50, 150))});
  const auto r2 = models::revenue_to_go(again);
  CHECK(r2[1] == doctest::Approx(200));
  CHECK(r2[0] == doctest::Approx(200));

  // And that is what a walk through the chain earns per session, within its 99.9% CI.
  sim::RandomStream rng(7, 0, "walk");
  std::vector<double> batch_means;
  for (int b = 0; b < 40; ++b) {
    double sum = 0.0;
    for (int s = 0; s < 2000; ++s) sum += walk(two, 0, rng);
    batch_means.push_back(sum / 2000);
  }
  const auto ci = sim::mean_ci(batch_means, 0.999);
  INFO("walk mean " << ci.mean << " ± " << ci.half_width);
  CHECK(ci.half_width < 0.02 * r[0]);
  CHECK(std::abs(ci.mean - r[0]) <= ci.half_width);
}

TEST_CASE("a journey without order pages earns nothing anywhere") {
  const auto j = journey({page("home", {{"product", 0.7}, {"exit", 0.3}}),
                          page("product", {{"home", 0.5}, {"exit", 0.5}})});
  const auto r = models::revenue_to_go(j);
  CHECK(r == std::vector<double>{0.0, 0.0});
  CHECK(models::expected_revenue_per_session(j) == 0.0);
}

TEST_CASE("the start page need not be the first one listed") {
  auto j = journey({page("pay", {{"exit", 1.0}}, Distribution::constant(500)),
                    page("cart", {{"pay", 0.5}, {"exit", 0.5}})});
  j.start = "cart";
  CHECK(models::expected_revenue_per_session(j) == doctest::Approx(250));
}

TEST_CASE("pages that never reach exit are refused") {
  const auto j = journey({page("home", {{"trap", 0.5}, {"exit", 0.5}}),
                          page("trap", {{"trap", 1.0}}, Distribution::constant(1))});
  CHECK_THROWS_AS(models::revenue_to_go(j), std::invalid_argument);
}

TEST_CASE("a journey of 10^5 pages solves sparse, visits and revenue to go alike") {
  // Each page is seen again with probability 1/2, then the walk moves on: 2 visits per
  // page, and from page i the orders of all pages after it, twice each.
  constexpr std::size_t n = 100'000;
  std::vector<PageConfig> pages;
  pages.reserve(n);
  auto name = [](std::size_t i) {
    std::string s(1, 'p');
    s.append(std::to_string(i));
    return s;
  };
  for (std::size_t i = 0; i < n; ++i) {
    const std::string next = i + 1 < n ? name(i + 1) : std::string(models::kExit);
    pages.push_back(page(name(i), {{name(i), 0.5}, {next, 0.5}}, Distribution::constant(1.0)));
  }
  const JourneyConfig j = journey(std::move(pages));
  const std::vector<double> visits = models::expected_visits(j);
  const std::vector<double> to_go = models::revenue_to_go(j);
  REQUIRE(visits.size() == n);
  for (std::size_t i = 0; i < n; i += 9973) {
    CHECK(visits[i] == doctest::Approx(2.0));
    CHECK(to_go[i] == doctest::Approx(2.0 * static_cast<double>(n - i)));
  }
  CHECK(visits.back() == doctest::Approx(2.0));
}

TEST_CASE("a journey whose pages link far across it solves too, and satisfies its equations") {
  // Links to pseudo-random pages make a sparse LU fill in; the iterative solve copes.
  constexpr std::size_t n = 20'000;
  auto name = [](std::size_t i) {
    std::string s(1, 'p');
    s.append(std::to_string(i));
    return s;
  };
  std::vector<PageConfig> pages;
  pages.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::pair<std::string, double>> next = {{std::string(models::kExit), 1.0}};
    if (i + 1 < n) next = {{name(i + 1), 0.5}, {name(i * 7919 % n), 0.3}, {"exit", 0.2}};
    const auto order = i % 100 == 99 ? std::optional(Distribution::constant(50.0)) : std::nullopt;
    pages.push_back(page(name(i), std::move(next), order));
  }
  const JourneyConfig j = journey(std::move(pages));
  const std::vector<double> visits = models::expected_visits(j);
  const std::vector<double> to_go = models::revenue_to_go(j);
  // Every session ends: the visits times the chance to leave from each page sum to 1.
  double exits = 0.0;
  for (std::size_t i = 0; i < n; ++i) exits += visits[i] * (i + 1 < n ? 0.2 : 1.0);
  CHECK(exits == doctest::Approx(1.0).epsilon(1e-9));
  // Revenue to go is this page's order plus what the next page expects.
  for (std::size_t i = 0; i + 1 < n; i += 997) {
    const double own = i % 100 == 99 ? 50.0 : 0.0;
    CHECK(to_go[i] == doctest::Approx(own + 0.5 * to_go[i + 1] + 0.3 * to_go[i * 7919 % n]));
  }
}
