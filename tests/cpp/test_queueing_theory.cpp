#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <queue>
#include <random>
#include <stdexcept>
#include <vector>

#include "sim/queueing_theory.hpp"

namespace th = surgesim::sim::theory;
using doctest::Approx;

namespace {

// Purely relative tolerance; plain Approx adds an absolute epsilon (scale 1).
Approx rel(double value, double eps) {
  return Approx(value).epsilon(eps).scale(0);
}

double poisson_pmf(int n, double a) {
  return std::exp(n * std::log(a) - a - std::lgamma(n + 1.0));
}

// Poisson(a) moments needed by M/M/inf-like checks, summed far into the tail.
struct PoissonSums {
  double p_at_least_c = 0, queue = 0, busy = 0;
};
PoissonSums poisson_sums(double a, int c) {
  PoissonSums s;
  for (int n = 0; n < 400; ++n) {
    const double p = poisson_pmf(n, a);
    if (n >= c) s.p_at_least_c += p;
    s.queue += std::max(n - c, 0) * p;
    s.busy += std::min(n, c) * p;
  }
  return s;
}

void check_conservation(const th::QueueMetrics& m, double lambda, double mu, int c) {
  CHECK(m.throughput == Approx(lambda * (1 - m.p_block - m.p_abandon)).epsilon(1e-9));
  CHECK(m.throughput == Approx(m.utilization * c * mu).epsilon(1e-9));
  CHECK(m.mean_response == Approx(m.mean_wait_served + 1 / mu).epsilon(1e-12));
}

// Independent check of Erlang-A: simulate FCFS M/M/c+M customer by customer.
// A customer starts service at the earliest server-free time (customers ahead
// have already either taken a server or abandoned), and abandons instead if
// that offered wait exceeds its patience.
struct SimResult {
  double p_wait, p_abandon, mean_wait, mean_wait_served;
};
SimResult simulate_erlang_a(double lambda, double mu, int c, double theta, int customers) {
  std::mt19937_64 gen(12345);  // fixed seed; exponentials built by hand for portability
  auto expo = [&](double rate) {
    const double u = (static_cast<double>(gen() >> 11) + 0.5) * 0x1p-53;
    return -std::log(u) / rate;
  };
  std::priority_queue<double, std::vector<double>, std::greater<>> free_at;
  for (int i = 0; i < c; ++i) free_at.push(0.0);
  const int warmup = customers / 10;
  double t = 0, waited = 0, abandoned = 0, wait_sum = 0, served_wait_sum = 0, served = 0;
  for (int i = 0; i < customers; ++i) {
    t += expo(lambda);
    const double offered = std::max(free_at.top() - t, 0.0);
    const double patience = expo(theta);
    const bool serve = offered <= patience;
    if (serve) {
      free_at.pop();
      free_at.push(t + offered + expo(mu));
    }
    if (i < warmup) continue;
    waited += offered > 0;
    abandoned += !serve;
    wait_sum += serve ? offered : patience;
    if (serve) {
      served_wait_sum += offered;
      ++served;
    }
  }
  const double n = customers - warmup;
  return {waited / n, abandoned / n, wait_sum / n, served_wait_sum / served};
}

}  // namespace

TEST_CASE("erlang_b matches textbook values") {
  CHECK(th::erlang_b(10, 8.0) == Approx(0.1217).epsilon(5e-4));
  CHECK(th::erlang_b(2, 1.0) == Approx(0.2).epsilon(1e-12));
  CHECK(th::erlang_b(1, 3.0) == Approx(0.75).epsilon(1e-12));
  CHECK(th::erlang_b(0, 3.0) == 1.0);
  CHECK(th::erlang_b(5, 0.0) == 0.0);
  // The recursion stays finite where a^c / c! would overflow.
  const double big = th::erlang_b(2000, 1900.0);
  CHECK(std::isfinite(big));
  CHECK(big > 0);
  CHECK(big < 1);
  CHECK_THROWS_AS(th::erlang_b(-1, 1.0), std::domain_error);
  CHECK_THROWS_AS(th::erlang_b(2, -1.0), std::domain_error);
}

TEST_CASE("erlang_c matches textbook values") {
  CHECK(th::erlang_c(2, 1.0) == Approx(1.0 / 3.0).epsilon(1e-12));
  CHECK(th::erlang_c(10, 8.0) == Approx(0.4092).epsilon(5e-4));
  CHECK(th::erlang_c(1, 0.7) == Approx(0.7).epsilon(1e-12));  // M/M/1: P(wait) = rho
  CHECK(th::erlang_c(3, 3.0) == 1.0);
  CHECK(th::erlang_c(3, 4.5) == 1.0);
  CHECK(th::erlang_c(3, 0.0) == 0.0);
  CHECK_THROWS_AS(th::erlang_c(0, 0.5), std::domain_error);
}

TEST_CASE("mm1 closed forms at rho = 0.8") {
  const double mu = 2.0, lambda = 0.8 * mu;
  const auto m = th::mm1(lambda, mu);
  CHECK(m.mean_wait == Approx(4.0 / mu).epsilon(1e-12));
  CHECK(m.mean_wait_served == m.mean_wait);
  CHECK(m.mean_response == Approx(5.0 / mu).epsilon(1e-12));
  CHECK(m.mean_queue == Approx(3.2).epsilon(1e-12));
  CHECK(m.p_wait == Approx(0.8).epsilon(1e-12));
  CHECK(m.utilization == Approx(0.8).epsilon(1e-12));
  CHECK(m.throughput == Approx(lambda).epsilon(1e-12));
  CHECK(m.p_block == 0.0);
  CHECK(m.p_abandon == 0.0);
  check_conservation(m, lambda, mu, 1);
  CHECK_THROWS_AS(th::mm1(2.0, 2.0), std::domain_error);
  CHECK_THROWS_AS(th::mm1(1.0, 0.0), std::domain_error);
}

TEST_CASE("mmc with one server equals mm1") {
  for (double lambda : {0.0, 0.1, 0.5, 0.9, 0.99}) {
    const auto a = th::mmc(lambda, 1.0, 1);
    const auto b = th::mm1(lambda, 1.0);
    CHECK(a.p_wait == Approx(b.p_wait).epsilon(1e-12));
    CHECK(a.mean_wait == Approx(b.mean_wait).epsilon(1e-12));
    CHECK(a.mean_response == Approx(b.mean_response).epsilon(1e-12));
    CHECK(a.mean_queue == Approx(b.mean_queue).epsilon(1e-12));
    CHECK(a.utilization == Approx(b.utilization).epsilon(1e-12));
  }
}

TEST_CASE("mmc known values and conservation") {
  // c=2, a=1: C = 1/3, Wq = C / (c mu - lambda) = 1/3.
  const auto m = th::mmc(1.0, 1.0, 2);
  CHECK(m.p_wait == Approx(1.0 / 3.0).epsilon(1e-12));
  CHECK(m.mean_wait == Approx(1.0 / 3.0).epsilon(1e-12));
  CHECK(m.mean_queue == Approx(1.0 / 3.0).epsilon(1e-12));
  CHECK(m.utilization == Approx(0.5).epsilon(1e-12));
  check_conservation(m, 1.0, 1.0, 2);
  check_conservation(th::mmc(8.0, 0.5, 20), 8.0, 0.5, 20);
  CHECK_THROWS_AS(th::mmc(2.0, 1.0, 2), std::domain_error);
  CHECK_THROWS_AS(th::mmc(1.0, 1.0, 0), std::domain_error);
}

TEST_CASE("mmck with K = c is Erlang B loss") {
  for (int c : {1, 3, 10}) {
    const double lambda = 8.0, mu = 1.0;
    const auto m = th::mmck(lambda, mu, c, c);
    CHECK(m.p_block == Approx(th::erlang_b(c, lambda / mu)).epsilon(1e-12));
    CHECK(m.p_wait == 0.0);
    CHECK(m.mean_wait == 0.0);
    CHECK(m.mean_queue == 0.0);
    check_conservation(m, lambda, mu, c);
  }
}

TEST_CASE("mmck with one server matches M/M/1/K closed form") {
  const double lambda = 1.5, mu = 1.0, rho = lambda / mu;
  const int k = 6;
  const auto m = th::mmck(lambda, mu, 1, k);
  const double p_block = (1 - rho) * std::pow(rho, k) / (1 - std::pow(rho, k + 1));
  CHECK(m.p_block == Approx(p_block).epsilon(1e-12));
  CHECK(m.utilization == Approx(rho * (1 - p_block)).epsilon(1e-12));
  check_conservation(m, lambda, mu, 1);
}

TEST_CASE("mmck with large K approaches mmc") {
  const double lambda = 8.0, mu = 1.0;
  const int c = 10;
  const auto big = th::mmck(lambda, mu, c, 1000);
  const auto inf = th::mmc(lambda, mu, c);
  CHECK(big.p_block < 1e-12);
  CHECK(big.p_wait == Approx(inf.p_wait).epsilon(1e-10));
  CHECK(big.mean_wait == Approx(inf.mean_wait).epsilon(1e-10));
  CHECK(big.mean_queue == Approx(inf.mean_queue).epsilon(1e-10));
  CHECK(big.utilization == Approx(inf.utilization).epsilon(1e-10));
  check_conservation(th::mmck(30.0, 1.0, 10, 25), 30.0, 1.0, 10);  // overloaded but finite
  CHECK_THROWS_AS(th::mmck(1.0, 1.0, 3, 2), std::domain_error);
}

TEST_CASE("birth_death_stationary: M/M/inf is Poisson, without overflow") {
  const double a = 1000.0;  // a^n / n! overflows doubles long before n = 3000
  const int top = 3000;
  std::vector<double> birth(top + 1, a), death(top + 1);
  for (int n = 0; n <= top; ++n) death[n] = n;
  const auto pi = th::birth_death_stationary(birth, death);
  REQUIRE(pi.size() == static_cast<std::size_t>(top + 1));
  double sum = 0;
  for (double p : pi) sum += p;
  CHECK(sum == Approx(1.0).epsilon(1e-12));
  for (int n : {900, 1000, 1100}) CHECK(pi[n] == Approx(poisson_pmf(n, a)).epsilon(1e-9));
}

TEST_CASE("birth_death_stationary edge cases") {
  const auto pi = th::birth_death_stationary({1.0, 0.0, 5.0}, {0.0, 2.0, 3.0});
  CHECK(pi[0] == Approx(2.0 / 3.0).epsilon(1e-12));
  CHECK(pi[1] == Approx(1.0 / 3.0).epsilon(1e-12));
  CHECK(pi[2] == 0.0);  // unreachable: zero birth rate out of state 1
  CHECK(th::birth_death_stationary({0.0}, {0.0}) == std::vector<double>{1.0});
  CHECK_THROWS_AS(th::birth_death_stationary({}, {}), std::domain_error);
  CHECK_THROWS_AS(th::birth_death_stationary({1.0, 1.0}, {0.0}), std::domain_error);
  CHECK_THROWS_AS(th::birth_death_stationary({1.0, 1.0}, {0.0, 0.0}), std::domain_error);
  CHECK_THROWS_AS(th::birth_death_stationary({-1.0, 1.0}, {0.0, 1.0}), std::domain_error);
}

TEST_CASE("erlang_a with theta -> 0 approaches mmc") {
  const double lambda = 8.0, mu = 1.0;
  const int c = 10;
  const auto a = th::erlang_a(lambda, mu, c, 1e-9);
  const auto m = th::mmc(lambda, mu, c);
  CHECK(a.p_abandon < 1e-8);
  CHECK(a.p_wait == Approx(m.p_wait).epsilon(1e-6));
  CHECK(a.mean_wait == Approx(m.mean_wait).epsilon(1e-6));
  CHECK(a.mean_wait_served == Approx(m.mean_wait).epsilon(1e-6));
  CHECK(a.mean_queue == Approx(m.mean_queue).epsilon(1e-6));
  CHECK(a.utilization == Approx(m.utilization).epsilon(1e-6));
  check_conservation(a, lambda, mu, c);
  // theta == 0 is exactly M/M/c, including its stability requirement.
  CHECK(th::erlang_a(lambda, mu, c, 0.0).mean_wait == Approx(m.mean_wait).epsilon(1e-12));
  CHECK_THROWS_AS(th::erlang_a(12.0, mu, c, 0.0), std::domain_error);
}

TEST_CASE("erlang_a with theta = mu: number in system is Poisson(lambda/mu)") {
  // Everyone present leaves at rate mu, served or not, as in M/M/inf.
  for (double lambda : {2.0, 7.0, 15.0}) {  // under-, near- and overloaded
    const double mu = 1.0;
    const int c = 8;
    const auto m = th::erlang_a(lambda, mu, c, mu);
    const auto p = poisson_sums(lambda / mu, c);
    CHECK(m.p_wait == Approx(p.p_at_least_c).epsilon(1e-12));
    CHECK(m.mean_queue == Approx(p.queue).epsilon(1e-12));
    CHECK(m.utilization == Approx(p.busy / c).epsilon(1e-12));
    CHECK(m.p_abandon == Approx(mu * p.queue / lambda).epsilon(1e-12));
    check_conservation(m, lambda, mu, c);
  }
}

TEST_CASE("erlang_a matches a customer-level simulation") {
  struct Case {
    double lambda, mu;
    int c;
    double theta;
  };
  for (const Case& k : {Case{3.3, 1.0, 3, 0.5}, Case{1.8, 1.0, 2, 0.1}, Case{0.9, 1.0, 1, 2.0},
                        Case{50.0, 1.0, 40, 0.05}}) {
    CAPTURE(k.lambda);
    const auto m = th::erlang_a(k.lambda, k.mu, k.c, k.theta);
    const auto s = simulate_erlang_a(k.lambda, k.mu, k.c, k.theta, 2'000'000);
    // Sampling error is ~0.5% here; served and all-arrival waits differ by
    // >2%, so 1% tells mean_wait_served apart from mean_wait.
    CHECK(s.p_wait == rel(m.p_wait, 0.01));
    CHECK(s.p_abandon == rel(m.p_abandon, 0.01));
    CHECK(s.mean_wait == rel(m.mean_wait, 0.01));
    CHECK(s.mean_wait_served == rel(m.mean_wait_served, 0.01));
    check_conservation(m, k.lambda, k.mu, k.c);
  }
}

TEST_CASE("erlang_a agrees with first-step analysis per state") {
  // A different derivation from the implementation's Laplace-transform form:
  // with j waiting ahead, the tagged customer's next event comes at rate
  // c mu + (j+1) theta; with probability p_j = (c mu + j theta) / that it
  // moves up (or starts service at j = 0), otherwise it abandons. So
  //   T_j = tau_j + p_j T_{j-1}                 (mean wait)
  //   S_j = p_j S_{j-1}                         (P(served))
  //   U_j = p_j (tau_j S_{j-1} + U_{j-1})       (E[wait; served])
  // with T_{-1} = U_{-1} = 0, S_{-1} = 1, averaged over pi (PASTA).
  struct Case {
    double lambda, mu;
    int c;
    double theta;
  };
  for (const Case& k :
       {Case{3.3, 1.0, 3, 0.5}, Case{50.0, 1.0, 40, 0.05}, Case{0.5, 2.0, 4, 7.0}}) {
    CAPTURE(k.lambda);
    const int top = 4000;
    std::vector<double> birth(top + 1, k.lambda), death(top + 1);
    for (int n = 0; n <= top; ++n)
      death[n] = std::min(n, k.c) * k.mu + std::max(n - k.c, 0) * k.theta;
    const auto pi = th::birth_death_stationary(birth, death);
    const double cmu = k.c * k.mu;
    double t = 0, s = 1, u = 0, wait = 0, served = 0, served_wait = 0;
    for (int n = 0; n <= top; ++n) {
      if (n < k.c) {
        served += pi[n];
        continue;
      }
      const int j = n - k.c;
      const double tau = 1 / (cmu + (j + 1) * k.theta);
      const double p = (cmu + j * k.theta) * tau;
      u = p * (tau * s + u);
      t = tau + p * t;
      s = p * s;
      wait += pi[n] * t;
      served += pi[n] * s;
      served_wait += pi[n] * u;
    }
    const auto m = th::erlang_a(k.lambda, k.mu, k.c, k.theta);
    CHECK(m.mean_wait == rel(wait, 1e-10));
    CHECK(m.p_abandon == rel(1 - served, 1e-10));
    CHECK(m.mean_wait_served == rel(served_wait / served, 1e-10));
  }
  CHECK_THROWS_AS(th::erlang_a(1.0, 1.0, 1, -1.0), std::domain_error);
}

TEST_CASE("mg1 Pollaczek-Khinchine") {
  const double lambda = 0.8, mean = 1.0;
  const auto expo = th::mg1(lambda, mean, mean * mean);
  const auto ref = th::mm1(lambda, 1 / mean);
  CHECK(expo.mean_wait == Approx(ref.mean_wait).epsilon(1e-12));
  CHECK(expo.mean_queue == Approx(ref.mean_queue).epsilon(1e-12));
  CHECK(expo.mean_response == Approx(ref.mean_response).epsilon(1e-12));
  CHECK(expo.p_wait == Approx(ref.p_wait).epsilon(1e-12));
  const auto det = th::mg1(lambda, mean, 0.0);  // M/D/1
  CHECK(det.mean_wait == Approx(ref.mean_wait / 2).epsilon(1e-12));
  check_conservation(det, lambda, 1 / mean, 1);
  CHECK_THROWS_AS(th::mg1(1.0, 1.0, 0.0), std::domain_error);
  CHECK_THROWS_AS(th::mg1(0.5, 1.0, -1.0), std::domain_error);
}
