#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/services/service_stats.hpp"
#include "models/sessions/waiting_room.hpp"

namespace surgesim::models {

// How a service's queue stood when the run ended. docs/scenario.md: a service is saturated
// when more requests wait in its queue than it completed over the last bucket, that is
// when draining the queue at the pace it kept would take longer than a bucket. An
// undersized shop must never look healthy because its shoppers are still queued when
// the run stops.
struct QueueAtEnd {
  std::uint64_t waiting = 0;  // requests in the queue when the run ended
  double completed = 0.0;     // completions over the last bucket, scaled to a whole bucket
  double pace = 0.0;          // completions per second over the last bucket

  bool saturated() const { return static_cast<double>(waiting) > completed; }
  // Seconds to empty the queue at that pace; infinite when nothing completed.
  double drain_s() const;
};

// `last_bucket` covers [start, end) (the run's last bucket, maybe partial) of buckets
// `bucket` seconds wide.
QueueAtEnd queue_at_end(const ServiceStats& last_bucket, sim::Time start, sim::Time end,
                        sim::Time bucket);

// The waiting room is a queue too: sessions wait in it, and its pace is the sessions it
// admitted over the last bucket. A room still holding more than a bucket's admissions
// when the run ends saturates the run like a service would (named "waiting_room", its
// reserved name), or a room too small for the night would look like a quiet shop.
QueueAtEnd room_at_end(const WaitingRoomStats& last_bucket, sim::Time start, sim::Time end,
                       sim::Time bucket);

// Writes the replication's verdict into its summary tree: "saturated",
// "saturated_services" at the top (before "sessions") and, per service, the extensions
// "queue_at_end" and "drain_s" (null when nothing completed in the last bucket).
// `queues` is indexed like summary["services"]; `room`, with a waiting room, gives
// summary["waiting_room"] the same two fields.
void write_saturation(Json& summary, const std::vector<QueueAtEnd>& queues,
                      const std::optional<QueueAtEnd>& room = std::nullopt);

// The experiment's verdict: saturated when any service (or the waiting room) is in any
// replication, the union of the services in the summary's service order, the room last. Replaces
// what merging the trees left in `summary` and removes those fields from `ci95` (they have no
// half-width).
void merge_saturation(Json& summary, const std::vector<Json>& replications);

}  // namespace surgesim::models
