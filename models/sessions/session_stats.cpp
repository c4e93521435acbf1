#include "models/sessions/session_stats.hpp"

#include <limits>

namespace surgesim::models {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio(std::uint64_t part, std::uint64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : kNaN;
}
}  // namespace

void LatencyStats::merge(const LatencyStats& other) {
  requests += other.requests;
  success += other.success;
  failed += other.failed;
  response.merge(other.response);
  response_quantiles.merge(other.response_quantiles);
}

void LatencyStats::clear() {
  requests = success = failed = 0;
  response = {};
  response_quantiles.clear();
}

void LatencyStats::write_json(Json& j) const {
  const LatencySummary l = summarize_latency(response, response_quantiles);
  j["mean_s"] = number_or_null(l.mean);
  j["p50_s"] = number_or_null(l.p50);
  j["p95_s"] = number_or_null(l.p95);
  j["p99_s"] = number_or_null(l.p99);
}

double SessionStats::drop_rate() const {
  const std::uint64_t ended = completed + dropped;
  return ended > 0 ? static_cast<double>(dropped) / static_cast<double>(ended) : 0.0;
}

void SessionStats::restart(sim::Time) {
  started = completed = dropped = orders = 0;
  by_cause.fill(0);
  revenue = lost_revenue = 0.0;
  lost_by_cause.fill(0.0);
  std::fill(lost_by_service.begin(), lost_by_service.end(), 0.0);
}

void SessionStats::absorb(const SessionStats& later, sim::Time) {
  started += later.started;
  completed += later.completed;
  dropped += later.dropped;
  for (std::size_t c = 0; c < kCauseCount; ++c) {
    by_cause[c] += later.by_cause[c];
    lost_by_cause[c] += later.lost_by_cause[c];
  }
  orders += later.orders;
  revenue += later.revenue;
  lost_revenue += later.lost_revenue;
  for (std::size_t s = 0; s < lost_by_service.size(); ++s)
    lost_by_service[s] += later.lost_by_service[s];
}

Json SessionStats::causes_json() const {
  Json j = Json::object();
  for (std::size_t c = 0; c < kCauseCount; ++c) j[std::string(kCauseNames[c])] = by_cause[c];
  return j;
}

void PageStats::restart(sim::Time) {
  dropped = orders = 0;
  revenue = 0.0;
  latency.clear();
}

void PageStats::take(PageStats& later, sim::Time t) {
  latency.response_quantiles.take(later.latency.response_quantiles);
  absorb(later, t);  // its sketch is empty now: merged and cleared at no cost
  later.restart(t);
}

void PageStats::absorb(const PageStats& later, sim::Time) {
  dropped += later.dropped;
  orders += later.orders;
  revenue += later.revenue;
  latency.merge(later.latency);
}

Json PageStats::to_json(bool order_page) const {
  Json j;
  j["requests"] = latency.requests;
  j["success"] = latency.success;
  latency.write_json(j);
  // Extensions: error answers (retried ones included), sessions that ended here.
  j["failed"] = latency.failed;
  j["dropped"] = dropped;
  if (order_page) {
    j["orders"] = orders;
    j["revenue"] = revenue;
  }
  return j;
}

const std::vector<std::string>& session_series_columns() {
  static const std::vector<std::string> columns = {"started",  "completed", "dropped", "drop_rate",
                                                   "requests", "failed",    "mean_s",  "p50_s",
                                                   "p95_s",    "p99_s"};
  return columns;
}

const std::vector<std::string>& journey_series_columns() {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> c = session_series_columns();
    c.insert(c.end(), {"orders", "revenue", "lost_revenue"});
    return c;
  }();
  return columns;
}

const std::vector<std::string>& page_series_columns() {
  static const std::vector<std::string> columns = {"requests", "success", "failed", "dropped",
                                                   "mean_s",   "p50_s",   "p95_s",  "p99_s"};
  return columns;
}

LatencyFigures latency_figures(const LatencyStats& l) {
  return {l.requests, l.failed, summarize_latency(l.response, l.response_quantiles)};
}

void session_row(const SessionStats& s, const LatencyFigures& pages, std::vector<double>& row) {
  const LatencySummary& l = pages.summary;
  row.assign({static_cast<double>(s.started), static_cast<double>(s.completed),
              static_cast<double>(s.dropped), ratio(s.dropped, s.completed + s.dropped),
              static_cast<double>(pages.requests), static_cast<double>(pages.failed), l.mean, l.p50,
              l.p95, l.p99});
}

void journey_row(const SessionStats& s, const LatencyFigures& pages, std::vector<double>& row) {
  session_row(s, pages, row);
  row.insert(row.end(), {static_cast<double>(s.orders), s.revenue, s.lost_revenue});
}

void page_row(const PageStats& p, const LatencyFigures& own, std::vector<double>& row) {
  const LatencySummary& l = own.summary;
  row.assign({static_cast<double>(own.requests), static_cast<double>(p.latency.success),
              static_cast<double>(own.failed), static_cast<double>(p.dropped), l.mean, l.p50, l.p95,
              l.p99});
}

}  // namespace surgesim::models
