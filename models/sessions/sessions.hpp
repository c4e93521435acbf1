#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/limits.hpp"
#include "models/scenario.hpp"
#include "models/services/service.hpp"
#include "models/services/windowed.hpp"
#include "models/sessions/session_stats.hpp"
#include "models/sessions/traffic_source.hpp"
#include "models/sessions/waiting_room.hpp"
#include "sim/large_array.hpp"
#include "sim/random_stream.hpp"

namespace surgesim::models {

// Shopper sessions: they arrive, pick a journey, and walk its pages (a Markov chain),
// sending one request per page and reacting to the answer: move on after the think
// time (or leave when the page was too slow), retry after an error, or give up when
// their patience runs out. Order pages place orders; a session that ends early loses
// its expected revenue-to-go. `services` is indexed like scenario.services and may be
// filled after construction. With a waiting room, a session that finds the shop full
// waits in it before its first page, or leaves it (cause `waiting`).
class Sessions final : public sim::EventTarget, public ResponseSink, private WaitingRoom::Doors {
 public:
  Sessions(const Scenario& scenario, std::uint64_t replication, sim::Simulator& sim,
           RequestPool& requests, const std::vector<std::unique_ptr<Service>>& services);

  void start();  // schedules the first arrival
  void restart_totals(Time t);
  // `spare`: see Windowed::restart_bucket.
  void restart_buckets(Time t, sim::QuantileSketch* spare = nullptr);
  void flush_sketches();  // Windowed::flush_sketch for every statistic here

  // The two entries of a page's path (its event, its answer) are flattened: the helpers
  // they call (send, succeeded, end, ...) are inlined into them, which GCC's own limits
  // would not do; a page then passes through fewer function entries and exits.
  [[gnu::flatten]] void on_event(std::uint32_t tag, std::uint32_t arg) override;
  void prefetch(std::uint32_t tag, std::uint32_t arg) const override;
  void on_service_start(RequestId id) override;
  [[gnu::flatten]] void on_response(RequestId id, Outcome outcome,
                                    sim::QuantileSketch::Key response) override;
  void expect_response(std::uint32_t session_id) const override;

  const Windowed<SessionStats>& totals() const { return totals_; }
  // The waiting room, if the scenario has one.
  const WaitingRoom* waiting_room() const { return room_.get(); }
  // Where lost revenue blamed on the waiting room goes in SessionStats::lost_by_service
  // (after the services).
  std::uint32_t waiting_room_slot() const { return room_slot_; }
  // Sessions that started in the statistics window and are still active.
  std::uint64_t unfinished() const { return unfinished_; }
  std::size_t journey_count() const { return journeys_.size(); }
  const std::string& journey_name(std::size_t j) const { return journeys_[j].name; }
  const Windowed<SessionStats>& journey_stats(std::size_t j) const { return journeys_[j].stats; }
  // Pages in scenario order; `label` is "JOURNEY.PAGE".
  std::size_t page_count() const { return page_labels_.size(); }
  const std::string& page_label(std::size_t p) const { return page_labels_[p]; }
  const Windowed<PageStats>& page_stats(std::size_t p) const { return page_stats_[p]; }
  bool is_order_page(std::size_t p) const { return order_pages_[p]; }
  std::size_t page_journey(std::size_t p) const { return page_place_[p].journey; }
  // Page latency of one journey's pages (or of all pages: journey = npos), merged into
  // `out`, over the whole window or the current bucket. Merging when asked keeps the
  // hot path at one sketch per page.
  static constexpr std::size_t kAllJourneys = static_cast<std::size_t>(-1);
  void latency(std::size_t journey, bool bucket, LatencyStats& out) const;

 private:
  // The event's kind is in the tag's low two bits; kNextPage carries the page above them.
  enum Tag : std::uint32_t { kArrival, kNextPage, kPatience };
  static constexpr std::uint32_t kTagBits = 2;
  static constexpr std::int32_t kExitPage = -1;

  struct Page {
    std::uint32_t service;
    std::uint32_t stats;  // index into page_stats_
    Distribution think;
    std::vector<double> next_cumulative;
    std::vector<std::int32_t> next_page;  // kExitPage for exit
    std::optional<Distribution> order_value;
    double revenue_to_go = 0.0;  // expected revenue from here, this page's order included
  };
  struct Journey {
    std::string name;
    std::vector<Page> pages;
    std::uint32_t start = 0;
    std::optional<Distribution> patience;
    PatienceCovers patience_covers = PatienceCovers::response;
    RetryConfig retry;
    std::optional<SlownessConfig> slowness;
    sim::RandomStream think_stream;
    sim::RandomStream patience_stream;
    sim::RandomStream route_stream;
    sim::RandomStream order_stream;
    sim::RandomStream slowness_stream;
    sim::RandomStream retry_stream;  // jitter of page retries
    Windowed<SessionStats> stats;
  };
  // 32 bytes on a 32-byte boundary: a session never straddles two cache lines. With
  // 10^5 or more sessions in flight each page's session is a cache miss, and at 40
  // bytes half of them were two.
  struct alignas(32) Session {
    Time sent_t = 0.0;
    sim::EventHandle patience;
    RequestId request = kNoRequest;
    std::uint16_t journey = 0;  // < limits::kJourneys
    std::uint16_t page = 0;     // < limits::kPages
    std::uint8_t retries = 0;   // of the current page, <= a retry's max (100)
    bool in_window = false;     // started in the statistics window (counted in `started`)
  };
  static_assert(sizeof(Session) == 32);
  static_assert(limits::kJourneys <= 0xffff && limits::kPages <= 0xffff);

  void arrive();
  // WaitingRoom::Doors: a waiting session is admitted, or leaves the room.
  void enter(std::uint32_t session_id) override;
  void leave_room(std::uint32_t session_id) override;
  // Sends the request of page `page` of journey `journey`, where the session is. The
  // caller says where: after a think time the event's tag holds the page, so a session
  // that sat in memory untouched for a minute (cold, among 10^5 or more in flight) is
  // not read before its request goes out; it is only written, which does not wait.
  void send(std::uint32_t session_id, std::uint32_t journey, std::uint32_t page);
  // The event that sends page `page` of `journey` for a session.
  std::uint32_t next_page_tag(const Journey& journey, std::uint32_t page) const {
    return kNextPage | journey.pages[page].stats << kTagBits;
  }
  // The page was answered with success; `key`: its response time with its sketch key.
  void succeeded(std::uint32_t session_id, sim::QuantileSketch::Key key);
  bool leaves_because_slow(Journey& j, Time response);
  void give_up(std::uint32_t session_id);
  // Ends a session: completed (no cause) or dropped with the cause, the service
  // responsible, and the revenue it loses.
  void end(std::uint32_t session_id, std::optional<Cause> cause, std::uint32_t blame = 0,
           double lost = 0.0);
  std::uint32_t acquire_session();
  template <class Update>
  void record_session(const Journey& j, Update&& update);

  sim::Simulator& sim_;
  RequestPool& requests_;
  const std::vector<std::unique_ptr<Service>>& services_;
  TrafficSource traffic_;
  sim::RandomStream journey_stream_;
  std::vector<double> share_cumulative_;
  std::vector<Journey> journeys_;
  std::vector<std::string> page_labels_;
  std::vector<Windowed<PageStats>> page_stats_;
  // Each page (by page_stats_ index) as its journey and its index there: for
  // next_page_tag, and for merging a journey's page latency.
  struct PagePlace {
    std::uint32_t journey, page;
  };
  std::vector<PagePlace> page_place_;
  std::vector<bool> order_pages_;  // whether each page places orders
  std::vector<Session, sim::LargeArray<Session>> sessions_;
  std::vector<std::uint32_t> free_sessions_;
  Windowed<SessionStats> totals_;
  Time window_start_ = 0.0;  // where the statistics window starts (the warm-up's end)
  std::uint64_t unfinished_ = 0;
  std::unique_ptr<WaitingRoom> room_;
  std::uint32_t room_slot_ = 0;
};

}  // namespace surgesim::models
