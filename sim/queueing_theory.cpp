#include "sim/queueing_theory.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace surgesim::sim::theory {
namespace {

// Erlang-A chains longer than this mean theta is tiny against an overload;
// refuse rather than allocate without bound.
constexpr int kMaxStates = 2'000'000;
constexpr double kTailTolerance = 1e-15;

void require(bool ok, const char* fn, const char* what) {
  if (!ok) throw std::domain_error(std::string(fn) + ": " + what);
}

void check_rates(const char* fn, double lambda, double mu, int servers) {
  require(std::isfinite(lambda) && lambda >= 0, fn, "lambda must be finite and >= 0");
  require(std::isfinite(mu) && mu > 0, fn, "mu must be finite and > 0");
  require(servers >= 1, fn, "servers must be >= 1");
}

// Empty system: nobody waits, a (hypothetical) customer just gets served.
QueueMetrics idle(double mean_service) {
  return {0, 0, 0, 0, 0, mean_service, 0, 0, 0};
}

// log(e^a + e^b) without overflow.
double log_add(double a, double b) {
  const double hi = std::max(a, b);
  const double lo = std::min(a, b);
  return hi + std::log1p(std::exp(lo - hi));
}

}  // namespace

double erlang_b(int servers, double offered_load) {
  require(servers >= 0, "erlang_b", "servers must be >= 0");
  require(std::isfinite(offered_load) && offered_load >= 0, "erlang_b",
          "offered_load must be finite and >= 0");
  double b = 1.0;
  for (int k = 1; k <= servers; ++k) b = offered_load * b / (k + offered_load * b);
  return b;
}

double erlang_c(int servers, double offered_load) {
  require(servers >= 1, "erlang_c", "servers must be >= 1");
  const double b = erlang_b(servers, offered_load);
  const double c = servers;
  if (offered_load >= c) return 1.0;
  // Denominator c - a + a B > 0 for a < c, so no cancellation to zero.
  return c * b / (c - offered_load * (1.0 - b));
}

QueueMetrics mm1(double lambda, double mu) {
  check_rates("mm1", lambda, mu, 1);
  const double rho = lambda / mu;
  require(rho < 1, "mm1", "lambda >= mu (unstable)");
  const double wq = rho / (mu - lambda);
  return {rho, 0, 0, wq, wq, wq + 1 / mu, rho * rho / (1 - rho), rho, lambda};
}

QueueMetrics mmc(double lambda, double mu, int servers) {
  check_rates("mmc", lambda, mu, servers);
  const double c = servers;
  require(lambda < c * mu, "mmc", "lambda >= servers*mu (unstable)");
  const double p_wait = erlang_c(servers, lambda / mu);
  const double wq = p_wait / (c * mu - lambda);
  return {p_wait, 0, 0, wq, wq, wq + 1 / mu, lambda * wq, lambda / (c * mu), lambda};
}

QueueMetrics mmck(double lambda, double mu, int servers, int capacity) {
  check_rates("mmck", lambda, mu, servers);
  require(capacity >= servers, "mmck", "capacity must be >= servers");
  if (lambda == 0) return idle(1 / mu);
  const std::size_t k = static_cast<std::size_t>(capacity);
  const std::size_t c = static_cast<std::size_t>(servers);
  std::vector<double> birth(k + 1, lambda), death(k + 1);
  for (std::size_t n = 0; n <= k; ++n) death[n] = static_cast<double>(std::min(n, c)) * mu;
  const std::vector<double> pi = birth_death_stationary(birth, death);

  double waiting_arrivals = 0, queue = 0, busy = 0;
  for (std::size_t n = 0; n <= k; ++n) {
    if (n >= c && n < k) waiting_arrivals += pi[n];
    if (n > c) queue += static_cast<double>(n - c) * pi[n];
    busy += static_cast<double>(std::min(n, c)) * pi[n];
  }
  const double p_block = pi[k];
  const double admitted = lambda * (1 - p_block);
  const double wq = queue / admitted;  // Little on the queue, admitted arrivals only
  return {waiting_arrivals / (1 - p_block), p_block, 0, wq, wq, wq + 1 / mu, queue,
          busy / static_cast<double>(c),    admitted};
}

QueueMetrics erlang_a(double lambda, double mu, int servers, double theta) {
  check_rates("erlang_a", lambda, mu, servers);
  require(std::isfinite(theta) && theta >= 0, "erlang_a", "theta must be finite and >= 0");
  if (theta == 0) return mmc(lambda, mu, servers);
  if (lambda == 0) return idle(1 / mu);
  const double cmu = servers * mu;
  auto death_at = [&](int n) {
    return std::min(n, servers) * mu + std::max(n - servers, 0) * theta;
  };

  // Truncation point: ratios lambda/death(n+1) never increase with n, so once
  // r < 1 the mass above n is at most w_n r / (1 - r) (geometric bound).
  int top = 0;
  for (double log_w = 0, log_sum = 0;; ++top) {
    const double r = lambda / death_at(top + 1);
    if (r < 1 && log_w + std::log(r / (1 - r)) - log_sum < std::log(kTailTolerance)) break;
    require(top < kMaxStates, "erlang_a", "theta too small for this overload (chain too long)");
    log_w += std::log(r);
    log_sum = log_add(log_sum, log_w);
  }
  std::vector<double> birth(top + 1, lambda), death(top + 1);
  for (int n = 0; n <= top; ++n) death[n] = death_at(n);
  const std::vector<double> pi = birth_death_stationary(birth, death);

  // A tagged arrival finding j = n - c waiting ahead (FCFS) has offered wait
  // V = sum of exp(c mu + i theta), i = 0..j (those ahead serve or abandon);
  // it is served iff V < its own exp(theta) patience. With L(s) = E[e^{-sV}],
  //   P(served | j)      = L(theta)     = c mu / (c mu + (j+1) theta)
  //   E[V; served | j]   = -L'(theta)   = P(served | j) * sum_{i=1}^{j+1} 1/(c mu + i theta).
  // PASTA averages these over pi.
  double queue = 0, busy = 0, p_wait = 0, p_served = 0, served_wait = 0, h = 0;
  for (int n = 0; n <= top; ++n) {
    busy += std::min(n, servers) * pi[n];
    if (n < servers) {
      p_served += pi[n];
      continue;
    }
    const int j = n - servers;
    queue += j * pi[n];
    p_wait += pi[n];
    h += 1 / (cmu + (j + 1) * theta);
    const double s = cmu / (cmu + (j + 1) * theta);
    p_served += pi[n] * s;
    served_wait += pi[n] * s * h;
  }
  const double p_abandon = theta * queue / lambda;  // abandon rate theta*Lq over arrivals
  const double wq_served = served_wait / p_served;
  return {p_wait,
          0,
          p_abandon,
          queue / lambda,
          wq_served,
          wq_served + 1 / mu,
          queue,
          busy / servers,
          lambda * (1 - p_abandon)};
}

std::vector<double> birth_death_stationary(const std::vector<double>& birth,
                                           const std::vector<double>& death) {
  const char* fn = "birth_death_stationary";
  require(!birth.empty() && birth.size() == death.size(), fn,
          "birth and death must be non-empty and the same size");
  const std::size_t top = birth.size() - 1;
  for (std::size_t n = 0; n < top; ++n) {
    require(std::isfinite(birth[n]) && birth[n] >= 0, fn, "birth rates must be finite, >= 0");
    require(std::isfinite(death[n + 1]) && death[n + 1] >= 0, fn,
            "death rates must be finite, >= 0");
  }
  // log w_n = log w_{n-1} + log birth[n-1] - log death[n] (detailed balance).
  constexpr double kNegInf = -std::numeric_limits<double>::infinity();
  std::vector<double> pi(top + 1, kNegInf);
  pi[0] = 0;
  for (std::size_t n = 1; n <= top && birth[n - 1] > 0; ++n) {
    require(death[n] > 0, fn, "zero death rate into a reachable state");
    pi[n] = pi[n - 1] + std::log(birth[n - 1]) - std::log(death[n]);
  }
  const double peak = *std::max_element(pi.begin(), pi.end());
  double sum = 0;
  for (double& p : pi) sum += (p = std::exp(p - peak));  // largest term is exactly 1
  for (double& p : pi) p /= sum;
  return pi;
}

QueueMetrics mg1(double lambda, double service_mean, double service_variance) {
  require(std::isfinite(lambda) && lambda >= 0, "mg1", "lambda must be finite and >= 0");
  require(std::isfinite(service_mean) && service_mean > 0, "mg1",
          "service_mean must be finite and > 0");
  require(std::isfinite(service_variance) && service_variance >= 0, "mg1",
          "service_variance must be finite and >= 0");
  const double rho = lambda * service_mean;
  require(rho < 1, "mg1", "lambda * service_mean >= 1 (unstable)");
  const double second_moment = service_variance + service_mean * service_mean;
  const double wq = lambda * second_moment / (2 * (1 - rho));
  // PASTA: an arrival waits iff the single server is busy, probability rho.
  return {rho, 0, 0, wq, wq, wq + service_mean, lambda * wq, rho, lambda};
}

}  // namespace surgesim::sim::theory
