#include "models/sessions/sessions.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <stdexcept>
#include <unordered_map>

#include "models/sessions/revenue_to_go.hpp"

namespace surgesim::models {
namespace {

// Index of the first cumulative weight above u (u in [0,1)); the last entry absorbs
// rounding so probabilities that sum to 1 +- 1e-6 never fall off the end.
std::size_t pick(const std::vector<double>& cumulative, double u) {
  const double x = u * cumulative.back();
  const std::size_t last = cumulative.size() - 1;
  // A page leads to a handful of others: a scan of them is fewer instructions than a
  // binary search, and finds the same entry.
  std::size_t i = 0;
  while (i < last && !(x < cumulative[i])) ++i;
  return i;
}

std::uint32_t index_of(const std::unordered_map<std::string, std::uint32_t>& names,
                       const std::string& name, const char* what) {
  const auto it = names.find(name);
  if (it == names.end()) throw std::logic_error("unresolved " + std::string(what) + " " + name);
  return it->second;
}

}  // namespace

Sessions::Sessions(const Scenario& scenario, std::uint64_t replication, sim::Simulator& sim,
                   RequestPool& requests, const std::vector<std::unique_ptr<Service>>& services)
    : sim_(sim),
      requests_(requests),
      services_(services),
      traffic_(scenario.traffic, sim::RandomStream(scenario.seed, replication, "traffic.arrivals")),
      journey_stream_(scenario.seed, replication, "traffic.journey"),
      // With a waiting room, lost revenue has one more place to be blamed on.
      totals_(scenario.services.size() + (scenario.waiting_room ? 1 : 0)),
      window_start_(scenario.statistics_from()),
      room_slot_(static_cast<std::uint32_t>(scenario.services.size())) {
  if (scenario.waiting_room) {
    room_ = std::make_unique<WaitingRoom>(
        *scenario.waiting_room, sim,
        sim::RandomStream(scenario.seed, replication, "waiting_room.patience"),
        static_cast<WaitingRoom::Doors&>(*this));
  }
  std::unordered_map<std::string, std::uint32_t> service_index;
  for (std::uint32_t i = 0; i < scenario.services.size(); ++i) {
    service_index[scenario.services[i].name] = i;
  }

  double share_sum = 0.0;
  for (const JourneyConfig& jc : scenario.journeys) {
    share_sum += jc.share;
    share_cumulative_.push_back(share_sum);
    const std::string prefix = "journey." + jc.name;
    const auto stream = [&](const char* name) {
      return sim::RandomStream(scenario.seed, replication, prefix + "." + name);
    };
    Journey j{jc.name,
              {},
              0,
              jc.patience,
              jc.patience_covers,
              jc.retry,
              jc.slowness,
              stream("think"),
              stream("patience"),
              stream("route"),
              stream("order"),
              stream("slowness"),
              stream("retry"),
              Windowed<SessionStats>(totals_.total().lost_by_service.size())};
    std::unordered_map<std::string, std::uint32_t> page_index;
    for (std::uint32_t p = 0; p < jc.pages.size(); ++p) page_index[jc.pages[p].name] = p;
    j.start = index_of(page_index, jc.start, "page");
    const std::vector<double> to_go = revenue_to_go(jc);
    for (std::size_t p = 0; p < jc.pages.size(); ++p) {
      const PageConfig& pc = jc.pages[p];
      Page page{index_of(service_index, pc.call, "service"),
                static_cast<std::uint32_t>(page_labels_.size()),
                pc.think.value_or(jc.think),
                {},
                {},
                pc.order_value,
                to_go[p]};
      double cumulative = 0.0;
      for (const auto& [target, prob] : pc.next) {
        cumulative += prob;
        page.next_cumulative.push_back(cumulative);
        page.next_page.push_back(
            target == kExit ? kExitPage
                            : static_cast<std::int32_t>(index_of(page_index, target, "page")));
      }
      page_labels_.push_back(jc.name + "." + pc.name);
      order_pages_.push_back(pc.order_value.has_value());
      page_place_.push_back(
          {static_cast<std::uint32_t>(journeys_.size()), static_cast<std::uint32_t>(p)});
      j.pages.push_back(std::move(page));
    }
    journeys_.push_back(std::move(j));
  }
  page_stats_.resize(page_labels_.size());
  // Only patience that covers the queue hears when the work starts.
  hears_starts_ = std::any_of(journeys_.begin(), journeys_.end(), [](const Journey& j) {
    return j.patience && j.patience_covers == PatienceCovers::queue;
  });
}

void Sessions::start() {
  const Time t = traffic_.next_arrival(sim_.now());
  if (t < sim::kForever) sim_.at(t, this, kArrival);
}

void Sessions::restart_totals(Time t) {
  window_start_ = t;
  totals_.restart_total(t);
  if (room_) room_->restart_total(t);
  for (Journey& j : journeys_) j.stats.restart_total(t);
  for (auto& p : page_stats_) p.restart_total(t);
}

void Sessions::restart_buckets(Time t, sim::QuantileSketch* spare) {
  totals_.restart_bucket(t);
  if (room_) room_->restart_bucket(t, spare);
  for (Journey& j : journeys_) j.stats.restart_bucket(t);
  for (auto& p : page_stats_) p.restart_bucket(t, spare);
}

void Sessions::flush_sketches() {
  if (room_) room_->flush_sketch();
  for (auto& p : page_stats_) p.flush_sketch();
}

void Sessions::latency(std::size_t journey, bool bucket, LatencyStats& out) const {
  out.clear();
  for (std::size_t p = 0; p < page_stats_.size(); ++p) {
    if (journey != kAllJourneys && page_place_[p].journey != journey) continue;
    out.merge(bucket ? page_stats_[p].bucket().latency : page_stats_[p].total().latency);
  }
}

template <class Update>
void Sessions::record_session(const Journey& j, Update&& update) {
  totals_.record(update);
  // The journey is one of ours; record through a non-const path.
  journeys_[static_cast<std::size_t>(&j - journeys_.data())].stats.record(update);
}

void Sessions::on_event(std::uint32_t tag, std::uint32_t arg) {
  switch (tag & ((1u << kTagBits) - 1)) {
    case kArrival:
      arrive();
      break;
    case kNextPage: {
      const PagePlace& place = page_place_[tag >> kTagBits];
      send(arg, place.journey, place.page);
      break;
    }
    case kPatience:
      sessions_[arg].patience = {};
      give_up(arg);
      break;
  }
}

void Sessions::prefetch(std::uint32_t tag, std::uint32_t arg) const {
  // A session's next page or its patience: the session, written to when it fires.
  if ((tag & ((1u << kTagBits) - 1)) != kArrival && arg < sessions_.size())
    __builtin_prefetch(&sessions_[arg], 1);
}

void Sessions::expect_response(std::uint32_t session_id) const {
  // The session was last touched when its request went out, and among 10^5 sessions in
  // flight it has mostly left the cache by the time the answer comes.
  if (session_id < sessions_.size()) __builtin_prefetch(&sessions_[session_id], 1);
}

std::uint32_t Sessions::acquire_session() {
  if (free_sessions_.empty()) {
    sessions_.emplace_back();
    return static_cast<std::uint32_t>(sessions_.size() - 1);
  }
  const std::uint32_t id = free_sessions_.back();
  free_sessions_.pop_back();
  sessions_[id] = Session{};
  return id;
}

void Sessions::arrive() {
  const Time t = traffic_.next_arrival(sim_.now());
  if (t < sim::kForever) sim_.at(t, this, kArrival);

  const std::uint32_t id = acquire_session();
  Session& s = sessions_[id];
  s.journey =
      journeys_.size() == 1
          ? 0
          : static_cast<std::uint16_t>(pick(share_cumulative_, journey_stream_.uniform01()));
  Journey& j = journeys_[s.journey];
  s.page = static_cast<std::uint16_t>(j.start);
  s.in_window = sim_.now() >= window_start_;
  if (s.in_window) ++unfinished_;
  record_session(j, [](SessionStats& st) { ++st.started; });
  if (room_ && !room_->arrive(id)) return;  // it waits: enter or leave_room follows
  send(id, s.journey, s.page);
}

void Sessions::enter(std::uint32_t session_id) {
  const Session& s = sessions_[session_id];
  send(session_id, s.journey, s.page);
}

// The shopper's patience ran out in the room: the journey's whole revenue-to-go is lost,
// blamed on the room.
void Sessions::leave_room(std::uint32_t session_id) {
  const Session& s = sessions_[session_id];
  const Journey& j = journeys_[s.journey];
  end(session_id, Cause::waiting, room_slot_, j.pages[j.start].revenue_to_go);
}

void Sessions::send(std::uint32_t session_id, std::uint32_t journey, std::uint32_t page_index) {
  Session& s = sessions_[session_id];
  Journey& j = journeys_[journey];
  const Page& page = j.pages[page_index];
  const RequestId rid = requests_.acquire();
  Request& r = requests_[rid];
  r.session = session_id;
  r.service = page.service;
  s.request = rid;
  s.sent_t = sim_.now();
  page_stats_[page.stats].record([](PageStats& p) { ++p.latency.requests; });
  if (j.patience)
    s.patience = sim_.timer(j.patience->sample(j.patience_stream), this, kPatience, session_id);
  services_[page.service]->arrive(rid);
}

void Sessions::on_service_start(RequestId id) {
  Session& s = sessions_[requests_[id].session];
  if (s.request == id && journeys_[s.journey].patience_covers == PatienceCovers::queue) {
    sim_.cancel(s.patience);
  }
}

void Sessions::on_response(RequestId id, Outcome outcome, sim::QuantileSketch::Key response) {
  const Request& r = requests_[id];
  const std::uint32_t session_id = r.session;
  Session& s = sessions_[session_id];
  s.request = kNoRequest;
  sim_.cancel(s.patience);
  Journey& j = journeys_[s.journey];
  const Page& page = j.pages[s.page];

  if (outcome == Outcome::success) {
    // The request reached its service when the page was sent: its response time is the
    // page's, and so is its sketch key.
    assert(response.x == sim_.now() - s.sent_t);
    succeeded(session_id, response);
    return;
  }
  page_stats_[page.stats].record([](PageStats& p) { ++p.latency.failed; });
  if (outcome != Outcome::declined && s.retries < static_cast<std::uint32_t>(j.retry.max)) {
    ++s.retries;
    // Retry k = retries - 1 waits backoff x multiplier^k x [1 - jitter, 1]; no draw
    // without jitter, so older scenarios keep their streams.
    const double u = j.retry.jitter > 0.0 ? j.retry_stream.uniform01() : 0.0;
    sim_.after(j.retry.delay(static_cast<int>(s.retries) - 1, u), this, next_page_tag(j, s.page),
               session_id);
    return;
  }
  // A session that fails on an order page loses that page's order too.
  end(session_id, cause_of(outcome), r.blame, page.revenue_to_go);
}

void Sessions::succeeded(std::uint32_t session_id, sim::QuantileSketch::Key key) {
  const Time response = key.x;
  Session& s = sessions_[session_id];
  Journey& j = journeys_[s.journey];
  const Page& page = j.pages[s.page];
  double order = 0.0;
  if (page.order_value) order = page.order_value->sample(j.order_stream);
  Windowed<PageStats>& stats = page_stats_[page.stats];
  stats.record([&](PageStats& p) {
    p.latency.add_success(key);
    if (page.order_value) {
      ++p.orders;
      p.revenue += order;
    }
  });
  if (page.order_value) {
    record_session(j, [&](SessionStats& st) {
      ++st.orders;
      st.revenue += order;
    });
  }
  // Routing comes first: a shopper whose next step is exit completes the session however
  // slow the last page was; only one who was going on can leave, and loses what the
  // page they were going to would have brought.
  const std::size_t choice =
      page.next_page.size() == 1 ? 0 : pick(page.next_cumulative, j.route_stream.uniform01());
  const std::int32_t next = page.next_page[choice];
  if (next == kExitPage) {
    end(session_id, std::nullopt);
    return;
  }
  if (leaves_because_slow(j, response)) {
    end(session_id, Cause::slow, page.service,
        j.pages[static_cast<std::size_t>(next)].revenue_to_go);
    return;
  }
  s.page = static_cast<std::uint16_t>(next);
  s.retries = 0;
  const Time think = page.think.sample(j.think_stream);
  if (think > 0.0) {
    sim_.after(think, this, next_page_tag(j, s.page), session_id);
  } else {
    send(session_id, s.journey, s.page);
  }
}

// docs/scenario.md: after a page slower than `above`, leave with probability
// 1 - (1 - leave)^((r - above) / per).
bool Sessions::leaves_because_slow(Journey& j, Time response) {
  if (!j.slowness || response <= j.slowness->above) return false;
  const SlownessConfig& slow = *j.slowness;
  const double stay = std::pow(1.0 - slow.leave, (response - slow.above) / slow.per);
  return j.slowness_stream.uniform01() >= stay;
}

void Sessions::give_up(std::uint32_t session_id) {
  Session& s = sessions_[session_id];
  const RequestId rid = s.request;
  s.request = kNoRequest;
  const Page& page = journeys_[s.journey].pages[s.page];
  services_[requests_[rid].service]->withdraw(rid);
  end(session_id, Cause::abandoned, page.service, page.revenue_to_go);
}

void Sessions::end(std::uint32_t session_id, std::optional<Cause> cause, std::uint32_t blame,
                   double lost) {
  Session& s = sessions_[session_id];
  Journey& j = journeys_[s.journey];
  if (cause) {
    // A shopper who left the room never reached a page.
    if (*cause != Cause::waiting) {
      page_stats_[j.pages[s.page].stats].record([](PageStats& p) { ++p.dropped; });
    }
    record_session(j, [&](SessionStats& st) { st.drop(*cause, lost, blame); });
  } else {
    record_session(j, [](SessionStats& st) { ++st.completed; });
  }
  if (s.in_window) --unfinished_;
  free_sessions_.push_back(session_id);
  // Its place in the shop goes to the longest-waiting shopper (who may be sent at once).
  if (room_) room_->ended(session_id);
}

}  // namespace surgesim::models
