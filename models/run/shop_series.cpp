#include "models/run/shop_series.hpp"

namespace surgesim::models {
namespace {

std::vector<std::string> cause_columns(const std::string& prefix) {
  std::vector<std::string> columns;
  for (const std::string_view cause : kCauseNames) columns.push_back(prefix + std::string(cause));
  return columns;
}

}  // namespace

ShopSeries::ShopSeries(const Scenario& scenario,
                       const std::vector<std::unique_ptr<Service>>& services,
                       const Sessions& sessions)
    : services_(services), sessions_(sessions), rate_(scenario.traffic) {
  traffic_ = tables_.size();
  tables_.emplace_back("timeseries/traffic", std::vector<std::string>{"rate", "sessions"});
  sessions_table_ = tables_.size();
  tables_.emplace_back("timeseries/sessions", session_series_columns());
  first_journey_ = tables_.size();
  for (std::size_t j = 0; j < sessions.journey_count(); ++j) {
    tables_.emplace_back("timeseries/journeys/" + sessions.journey_name(j),
                         journey_series_columns());
  }
  first_page_ = tables_.size();
  for (std::size_t p = 0; p < sessions.page_count(); ++p) {
    tables_.emplace_back("timeseries/pages/" + sessions.page_label(p), page_series_columns());
  }
  first_service_ = tables_.size();
  for (const auto& service : services) {
    tables_.emplace_back("timeseries/services/" + service->name(), service_series_columns());
  }
  std::vector<std::string> drops = cause_columns("");
  for (std::size_t j = 0; j < sessions.journey_count(); ++j) {
    const std::vector<std::string> own = cause_columns(sessions.journey_name(j) + ".");
    drops.insert(drops.end(), own.begin(), own.end());
  }
  drops_ = tables_.size();
  tables_.emplace_back("sessions/drops", drops);
  std::vector<std::string> revenue = {"orders", "revenue", "lost_revenue"};
  const std::vector<std::string> lost = cause_columns("lost.");
  revenue.insert(revenue.end(), lost.begin(), lost.end());
  for (const auto& service : services) revenue.push_back("lost.service." + service->name());
  if (sessions.waiting_room()) revenue.push_back("lost.service.waiting_room");
  revenue_ = tables_.size();
  tables_.emplace_back("revenue", revenue);
  if (sessions.waiting_room()) {
    room_ = tables_.size();
    tables_.emplace_back("timeseries/waiting_room", waiting_room_series_columns());
  }

  journey_pages_.resize(sessions.journey_count());
  for (std::size_t p = 0; p < sessions.page_count(); ++p)
    journey_pages_[sessions.page_journey(p)].push_back(p);
  page_figures_.resize(sessions.page_count());
  journey_figures_.resize(sessions.journey_count());
  journey_latency_.resize(sessions.journey_count());

  const auto buckets = static_cast<std::size_t>(
      std::ceil((scenario.run_to() - scenario.run_from()) / scenario.bucket));
  for (SeriesTable& table : tables_) {
    for (std::vector<double>& column : table.data) column.reserve(buckets);
  }
}

std::size_t series_cells_per_bucket(std::size_t journeys, std::size_t pages, std::size_t services) {
  // As the constructor lays them out, each with its t_s.
  const std::size_t traffic = 3;
  const std::size_t sessions = 1 + session_series_columns().size();
  const std::size_t per_journey = 1 + journey_series_columns().size();
  const std::size_t per_page = 1 + page_series_columns().size();
  const std::size_t per_service = 1 + service_series_columns().size();
  const std::size_t drops = 1 + kCauseCount * (1 + journeys);
  const std::size_t revenue = 1 + 3 + kCauseCount + services;
  return traffic + sessions + journeys * per_journey + pages * per_page + services * per_service +
         drops + revenue;
}

const LatencyFigures* ShopSeries::journey_latency(std::size_t j) {
  if (journey_pages_[j].size() == 1) return &page_figures_[journey_pages_[j].front()];
  sessions_.latency(j, true, scratch_);
  journey_figures_[j] = latency_figures(scratch_);
  return &journey_figures_[j];
}

void ShopSeries::close_bucket(Time start, Time end) {
  // Each distinct sketch is read once: a page's quantiles serve its journey's row when
  // the journey has one page, and a journey's serve the sessions' row when it is the
  // only one.
  for (std::size_t p = 0; p < sessions_.page_count(); ++p)
    page_figures_[p] = latency_figures(sessions_.page_stats(p).bucket().latency);
  for (std::size_t j = 0; j < sessions_.journey_count(); ++j)
    journey_latency_[j] = journey_latency(j);
  const SessionStats& all = sessions_.totals().bucket();
  const double width = end - start;
  row_.assign({width > 0 ? rate_.integral(start, end) / width : rate_.rate(start),
               static_cast<double>(all.started)});
  tables_[traffic_].append(start, row_);
  if (sessions_.journey_count() == 1) {
    session_row(all, *journey_latency_[0], row_);
  } else {
    sessions_.latency(Sessions::kAllJourneys, true, scratch_);
    session_row(all, latency_figures(scratch_), row_);
  }
  tables_[sessions_table_].append(start, row_);
  for (std::size_t j = 0; j < sessions_.journey_count(); ++j) {
    journey_row(sessions_.journey_stats(j).bucket(), *journey_latency_[j], row_);
    tables_[first_journey_ + j].append(start, row_);
  }
  for (std::size_t p = 0; p < sessions_.page_count(); ++p) {
    page_row(sessions_.page_stats(p).bucket(), page_figures_[p], row_);
    tables_[first_page_ + p].append(start, row_);
  }
  for (std::size_t s = 0; s < services_.size(); ++s) {
    service_row(services_[s]->stats().bucket(), end, row_);
    tables_[first_service_ + s].append(start, row_);
  }

  row_.assign(all.by_cause.begin(), all.by_cause.end());
  for (std::size_t j = 0; j < sessions_.journey_count(); ++j) {
    const auto& by_cause = sessions_.journey_stats(j).bucket().by_cause;
    row_.insert(row_.end(), by_cause.begin(), by_cause.end());
  }
  tables_[drops_].append(start, row_);

  row_.assign({static_cast<double>(all.orders), all.revenue, all.lost_revenue});
  row_.insert(row_.end(), all.lost_by_cause.begin(), all.lost_by_cause.end());
  row_.insert(row_.end(), all.lost_by_service.begin(), all.lost_by_service.end());
  tables_[revenue_].append(start, row_);
  if (const WaitingRoom* room = sessions_.waiting_room()) {
    waiting_room_row(room->stats().bucket(), end, row_);
    tables_[room_].append(start, row_);
  }
}

}  // namespace surgesim::models
