#pragma once

#include <vector>

// Closed-form and birth-death results for classic queues. Used to validate the
// simulator against theory and by `surgesim check` for analytic estimates.
// All functions throw std::domain_error on invalid parameters (non-positive
// rates, servers < 1, capacity < servers, ...) and on instability.
// Arrival rate lambda may be 0; the metrics are then the empty-system values.
namespace surgesim::sim::theory {

// Erlang B blocking probability, by the stable recursion
// B(k) = a B(k-1) / (k + a B(k-1)). servers >= 0, offered_load a = lambda/mu.
double erlang_b(int servers, double offered_load);

// Erlang C: P(wait) in M/M/c. Returns 1 if a >= c. servers >= 1.
double erlang_c(int servers, double offered_load);

struct QueueMetrics {
  double p_wait;     // P(an arriving customer that is admitted must wait)
  double p_block;    // P(arrival rejected) (M/M/c/K), 0 otherwise
  double p_abandon;  // P(arrival abandons) (Erlang-A), 0 otherwise
  // Mean wait in queue over admitted arrivals. Erlang-A: over all arrivals
  // incl. those that abandon; wait = time until service start or abandonment.
  double mean_wait;
  double mean_wait_served;  // Erlang-A: mean wait of served; else = mean_wait
  double mean_response;     // mean_wait_served + mean service time
  double mean_queue;        // time-average number waiting
  double utilization;       // time-average busy servers / servers
  double throughput;        // rate of served customers
};

// M/M/1; throws if lambda >= mu.
QueueMetrics mm1(double lambda, double mu);
// M/M/c (Erlang C); throws if lambda >= c*mu.
QueueMetrics mmc(double lambda, double mu, int servers);
// M/M/c/K; capacity K = servers + queue places, K >= servers. Always stable.
QueueMetrics mmck(double lambda, double mu, int servers, int capacity);
// M/M/c+M (Erlang-A), patience ~ exp(theta) covering the wait only. Always
// stable for theta > 0; theta == 0 is plain M/M/c. The chain is truncated
// where the tail probability < 1e-15.
QueueMetrics erlang_a(double lambda, double mu, int servers, double theta);

// Stationary distribution of a birth-death chain on states 0..N. Both vectors
// have size N+1 and are indexed by state: birth[n] is the rate n -> n+1,
// death[n] the rate n -> n-1; birth[N] and death[0] are ignored. Solved in log
// space, so it cannot overflow. States above a zero birth rate get 0.
std::vector<double> birth_death_stationary(const std::vector<double>& birth,
                                           const std::vector<double>& death);

// M/G/1 Pollaczek-Khinchine: Wq = lambda E[S^2] / (2 (1 - rho)),
// E[S^2] = var + mean^2. Throws if rho = lambda * service_mean >= 1.
QueueMetrics mg1(double lambda, double service_mean, double service_variance);

}  // namespace surgesim::sim::theory
