#pragma once

#include <memory>
#include <vector>

#include "models/scenario.hpp"
#include "models/series_table.hpp"
#include "models/services/service.hpp"
#include "models/sessions/sessions.hpp"
#include "models/sessions/traffic_rate.hpp"

namespace surgesim::models {

// The time series of one replication: at the end of every bucket it reads the bucket
// window of every statistic and appends a row to each table (series_table.hpp).
class ShopSeries {
 public:
  ShopSeries(const Scenario& scenario, const std::vector<std::unique_ptr<Service>>& services,
             const Sessions& sessions);

  // Appends the rows of the bucket [start, end).
  void close_bucket(Time start, Time end);
  std::vector<SeriesTable> take() { return std::move(tables_); }

 private:
  const std::vector<std::unique_ptr<Service>>& services_;
  const Sessions& sessions_;
  // Page latency of a journey as its row shows it: read from the page itself when the
  // journey has one page, from a merge of its pages otherwise.
  const LatencyFigures* journey_latency(std::size_t j);

  RateFunction rate_;
  LatencyStats scratch_;  // merged page latency, reused bucket after bucket
  // Reused bucket after bucket: each page's latency figures, each journey's (when it has
  // more than one page), the row being written.
  std::vector<LatencyFigures> page_figures_, journey_figures_;
  std::vector<const LatencyFigures*> journey_latency_;
  std::vector<std::vector<std::size_t>> journey_pages_;
  std::vector<double> row_;
  // Indices into tables_.
  std::size_t traffic_ = 0, sessions_table_ = 0, drops_ = 0, revenue_ = 0;
  std::size_t first_journey_ = 0, first_page_ = 0, first_service_ = 0;
  std::size_t room_ = 0;  // the waiting room's table, if there is a room
  std::vector<SeriesTable> tables_;
};

// Columns of every table of a shop with these counts, t_s included: a bucket's row in all
// of them (what a run's time series cost per bucket, for the work estimate).
std::size_t series_cells_per_bucket(std::size_t journeys, std::size_t pages, std::size_t services);

}  // namespace surgesim::models
