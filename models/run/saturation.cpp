#include "models/run/saturation.hpp"

#include <algorithm>
#include <limits>

namespace surgesim::models {

double QueueAtEnd::drain_s() const {
  if (waiting == 0) return 0.0;
  return pace > 0.0 ? static_cast<double>(waiting) / pace : std::numeric_limits<double>::infinity();
}

namespace {

// `waiting` left at the end, `done` served over the last bucket [start, end): a partial
// last bucket is judged at its own pace, as the rule is about time to drain.
QueueAtEnd judged(double waiting, double done, sim::Time start, sim::Time end, sim::Time bucket) {
  QueueAtEnd q;
  q.waiting = static_cast<std::uint64_t>(waiting);
  const double width = end - start;
  q.pace = width > 0.0 ? done / width : 0.0;
  q.completed = q.pace * bucket;
  return q;
}

}  // namespace

QueueAtEnd queue_at_end(const ServiceStats& last_bucket, sim::Time start, sim::Time end,
                        sim::Time bucket) {
  return judged(last_bucket.queue.value(), static_cast<double>(last_bucket.completed), start, end,
                bucket);
}

QueueAtEnd room_at_end(const WaitingRoomStats& last_bucket, sim::Time start, sim::Time end,
                       sim::Time bucket) {
  return judged(last_bucket.waiting.value(), static_cast<double>(last_bucket.admitted), start, end,
                bucket);
}

void write_saturation(Json& summary, const std::vector<QueueAtEnd>& queues,
                      const std::optional<QueueAtEnd>& room) {
  Json names = Json::array();
  std::size_t i = 0;
  for (auto& [name, service] : summary["services"].items()) {
    const QueueAtEnd& q = queues.at(i++);
    service["queue_at_end"] = q.waiting;
    service["drain_s"] = number_or_null(q.drain_s());
    if (q.saturated()) names.push_back(name);
  }
  if (room && summary.contains("waiting_room")) {
    summary["waiting_room"]["queue_at_end"] = room->waiting;
    summary["waiting_room"]["drain_s"] = number_or_null(room->drain_s());
    if (room->saturated()) names.push_back("waiting_room");
  }
  // The verdict comes first: whoever reads the tree sees it before any other figure.
  Json ordered;
  ordered["saturated"] = !names.empty();
  ordered["saturated_services"] = std::move(names);
  for (auto& [key, value] : summary.items()) ordered[key] = std::move(value);
  summary = std::move(ordered);
}

void merge_saturation(Json& summary, const std::vector<Json>& replications) {
  std::vector<std::string> names;
  const auto saturated_somewhere = [&](const std::string& name) {
    return std::any_of(replications.begin(), replications.end(), [&](const Json& r) {
      const Json list = r.value("saturated_services", Json::array());
      return std::find(list.begin(), list.end(), Json(name)) != list.end();
    });
  };
  if (summary.contains("services")) {
    // Not a structured binding: clang before 16 (the fuzz build) cannot capture one.
    for (const auto& service : summary["services"].items()) {
      if (saturated_somewhere(service.key())) names.push_back(service.key());
    }
  }
  if (summary.contains("waiting_room") && saturated_somewhere("waiting_room"))
    names.push_back("waiting_room");
  summary["saturated"] = !names.empty();
  summary["saturated_services"] = names;
  if (summary.contains("ci95")) {
    summary["ci95"].erase("saturated");
    summary["ci95"].erase("saturated_services");
  }
}

}  // namespace surgesim::models
