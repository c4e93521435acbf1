#include <string>

#include "models/json_members.hpp"
#include "models/run/shop.hpp"

namespace surgesim::models {
namespace {

Json lost_revenue_json(const SessionStats& s,
                       const std::vector<std::unique_ptr<Service>>& services) {
  Json lost;
  lost["total"] = s.lost_revenue;
  Json by_cause = Json::object();
  for (std::size_t c = 0; c < kCauseCount; ++c) {
    by_cause[std::string(kCauseNames[c])] = s.lost_by_cause[c];
  }
  lost["by_cause"] = std::move(by_cause);
  Json by_service = Json::object();
  for (std::size_t i = 0; i < services.size(); ++i) {
    by_service[services[i]->name()] = s.lost_by_service[i];
  }
  // With a waiting room, the revenue of shoppers who left it (after the services).
  if (s.lost_by_service.size() > services.size()) {
    by_service["waiting_room"] = s.lost_by_service[services.size()];
  }
  lost["by_service"] = std::move(by_service);
  return lost;
}

Json latency_json(const LatencyStats& l) {
  Json j;
  j["requests"] = l.requests;
  j["failed"] = l.failed;
  l.write_json(j);
  return j;
}

}  // namespace

Json shop_summary(const Scenario& scenario, const std::vector<std::unique_ptr<Service>>& services,
                  const Sessions& sessions) {
  const Time end = scenario.run_to();
  const SessionStats& totals = sessions.totals().total();
  Json j;
  Json counts;
  counts["started"] = totals.started;
  counts["completed"] = totals.completed;
  counts["dropped"] = totals.dropped;
  counts["unfinished"] = sessions.unfinished();
  counts["by_cause"] = totals.causes_json();
  j["sessions"] = std::move(counts);
  j["drop_rate"] = totals.drop_rate();
  j["orders"] = totals.orders;
  j["revenue"] = totals.revenue;
  j["lost_revenue"] = lost_revenue_json(totals, services);
  LatencyStats latency;
  sessions.latency(Sessions::kAllJourneys, false, latency);
  j["latency"] = latency_json(latency);  // extension: all pages together

  Json pages = Json::object();
  for (std::size_t p = 0; p < sessions.page_count(); ++p) {
    append_member(pages, sessions.page_label(p),
                  sessions.page_stats(p).total().to_json(sessions.is_order_page(p)));
  }
  j["pages"] = std::move(pages);

  Json journeys = Json::object();
  for (std::size_t k = 0; k < sessions.journey_count(); ++k) {
    const SessionStats& js = sessions.journey_stats(k).total();
    Json jj;
    jj["sessions"] = js.started;
    jj["completed"] = js.completed;
    jj["dropped"] = js.dropped;
    jj["orders"] = js.orders;
    jj["revenue"] = js.revenue;
    jj["lost_revenue"] = js.lost_revenue;
    jj["drop_rate"] = js.drop_rate();
    // Extensions: drop-offs by cause and page latency per journey.
    jj["by_cause"] = js.causes_json();
    sessions.latency(k, false, latency);
    jj["requests"] = latency.requests;
    jj["failed"] = latency.failed;
    latency.write_json(jj);
    append_member(journeys, sessions.journey_name(k), std::move(jj));
  }
  j["journeys"] = std::move(journeys);

  Json service_json = Json::object();
  for (const auto& service : services) {
    append_member(service_json, service->name(),
                  service->stats().total().to_json(end, service->cost_per_instance_hour()));
  }
  j["services"] = std::move(service_json);
  if (const WaitingRoom* room = sessions.waiting_room()) {
    j["waiting_room"] = room->stats().total().to_json(end);
  }
  return j;
}

}  // namespace surgesim::models
