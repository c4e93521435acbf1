#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "models/services/cause.hpp"
#include "models/services/service_stats.hpp"

namespace surgesim::models {

// Page responses as shoppers saw them (successes only), for a page, a journey or all.
struct LatencyStats {
  std::uint64_t requests = 0;  // attempts, retries included
  std::uint64_t success = 0;
  std::uint64_t failed = 0;  // answered with an error cause (retried ones included)
  sim::Welford response;
  sim::QuantileSketch response_quantiles;

  void add_success(sim::QuantileSketch::Key response_s) {
    ++success;
    response.add(response_s.x);
    response_quantiles.add(response_s);
  }
  void merge(const LatencyStats& other);
  void clear();
  void write_json(Json& j) const;
};

// Sessions of one journey (or of all): how they ended and what they were worth.
struct SessionStats {
  explicit SessionStats(std::size_t services) : lost_by_service(services, 0.0) {}

  std::uint64_t started = 0;
  std::uint64_t completed = 0;
  std::uint64_t dropped = 0;
  std::array<std::uint64_t, kCauseCount> by_cause{};
  std::uint64_t orders = 0;
  double revenue = 0.0;
  double lost_revenue = 0.0;
  std::array<double, kCauseCount> lost_by_cause{};
  std::vector<double> lost_by_service;  // indexed like scenario.services

  void drop(Cause cause, double lost, std::uint32_t service) {
    const auto c = static_cast<std::size_t>(cause);
    ++dropped;
    ++by_cause[c];
    lost_revenue += lost;
    lost_by_cause[c] += lost;
    lost_by_service[service] += lost;
  }
  double drop_rate() const;
  void restart(sim::Time);
  void absorb(const SessionStats& later, sim::Time);
  Json causes_json() const;
};

// One page's views.
struct PageStats {
  PageStats() = default;
  std::uint64_t dropped = 0;  // sessions that ended on this page by a drop
  std::uint64_t orders = 0;
  double revenue = 0.0;
  LatencyStats latency;

  sim::QuantileSketch& sketch() { return latency.response_quantiles; }
  void restart(sim::Time);
  void absorb(const PageStats& later, sim::Time);
  // absorb(later, t), then later.restart(t): the sketch moves across in one walk.
  void take(PageStats& later, sim::Time t);
  // `order_page`: the page places orders, so its tree has `orders` and `revenue` (zeros
  // included: every replication's tree must have the same shape to be merged).
  Json to_json(bool order_page) const;
};

// What a time series row shows of page latency: the counters and the summary, read once
// per bucket and shared by every row over the same pages (a journey of one page and its
// page, a shop of one journey and its journey).
struct LatencyFigures {
  std::uint64_t requests = 0;
  std::uint64_t failed = 0;
  LatencySummary summary;
};
LatencyFigures latency_figures(const LatencyStats& l);

// Columns of the session, journey and page time series after "t_s".
const std::vector<std::string>& session_series_columns();
const std::vector<std::string>& journey_series_columns();
const std::vector<std::string>& page_series_columns();
// A bucket's row of those columns, written into `row` (whose storage is reused bucket
// after bucket). `pages`: the latency of the same sessions' pages (Sessions::latency).
void session_row(const SessionStats& s, const LatencyFigures& pages, std::vector<double>& row);
void journey_row(const SessionStats& s, const LatencyFigures& pages, std::vector<double>& row);
void page_row(const PageStats& p, const LatencyFigures& own, std::vector<double>& row);

}  // namespace surgesim::models
