#include "models/services/database.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "models/services/service.hpp"
#include "models/services/service_estimate.hpp"
#include "models/services/service_types.hpp"
#include "models/yaml/yaml_node.hpp"

namespace surgesim::models {
namespace {

class Database final : public Service {
 public:
  Database(const ServiceConfig& config, const ServiceContext& context,
           sim::RandomStream query_stream);

  void withdraw(RequestId id) override;
  // Flattened, as ServerPool's: a request's path inlines the helpers it passes.
  [[gnu::flatten]] void on_event(std::uint32_t tag, std::uint32_t arg) override;
  // A finished query answers at once (see Service::expect_response).
  void prefetch(std::uint32_t tag, std::uint32_t arg) const override {
    if (tag == kQueryDone) expect_response(arg);
  }

 private:
  [[gnu::flatten]] void admit(RequestId id) override;

  enum Tag : std::uint32_t { kQueryDone, kTimeout, kPoolTimeout, kOutageStart, kOutageEnd };

  void start(RequestId id);
  void query_done(RequestId id);
  void leave_queue(RequestId id, Outcome outcome);
  void drop_connections();
  void set_levels();

  DatabaseConfig config_;
  std::optional<Time> timeout_;
  sim::RandomStream query_stream_;
  std::uint32_t outages_ = 0;  // in progress
  std::uint64_t busy_ = 0;
  RequestQueue queue_;
  RequestQueue running_;  // holding a connection (an outage fails them)
};

Database::Database(const ServiceConfig& config, const ServiceContext& context,
                   sim::RandomStream query_stream)
    : Service(config, context),
      config_(std::get<DatabaseConfig>(config.type)),
      timeout_(config.timeout),
      query_stream_(query_stream),
      queue_(*context.requests),
      running_(*context.requests) {
  schedule_outages(config.outages, kOutageStart, kOutageEnd, 0);
  const auto connections = static_cast<double>(config_.connections);
  stats_.record([&](ServiceStats& s) {
    s.available.set(sim().now(), connections);
    s.instances.set(sim().now(), 1.0);
  });
}

void Database::admit(RequestId id) {
  Request& r = requests()[id];
  if (outages_ > 0) return refuse(id, Outcome::outage);
  if (timeout_) r.timeout = sim().timer(*timeout_, this, kTimeout, id);
  if (busy_ < config_.connections) return start(id);
  r.state = Request::State::waiting;
  if (config_.pool_timeout) r.work = sim().timer(*config_.pool_timeout, this, kPoolTimeout, id);
  queue_.push_back(id);
  set_levels();
}

void Database::start(RequestId id) {
  Request& r = requests()[id];
  sim().cancel(r.work);  // the pool timeout
  r.state = Request::State::in_service;
  ++busy_;
  running_.push_back(id);
  set_levels();
  record_start(r);
  // Busy connections counted with this query's own, as the contract says: with
  // `above: 1` the second concurrent query is already stretched.
  double stretch = 1.0;
  if (config_.contention && busy_ > config_.contention->above) {
    stretch +=
        config_.contention->slowdown * static_cast<double>(busy_ - config_.contention->above);
  }
  r.work = sim().after(config_.query.sample(query_stream_) * stretch, this, kQueryDone, id);
  notify_start(id);
}

void Database::on_event(std::uint32_t tag, std::uint32_t arg) {
  switch (tag) {
    case kQueryDone:
      requests()[arg].work = {};
      query_done(arg);
      break;
    case kTimeout: {
      Request& r = requests()[arg];
      r.timeout = {};
      if (r.state == Request::State::waiting) {
        leave_queue(arg, Outcome::timeout);
      } else {
        respond(arg, Outcome::timeout);  // the query runs on, holding its connection
      }
      break;
    }
    case kPoolTimeout:
      requests()[arg].work = {};
      leave_queue(arg, Outcome::pool_timeout);
      break;
    case kOutageStart:
      ++outages_;
      drop_connections();
      break;
    case kOutageEnd:
      --outages_;
      break;
  }
}

// The queue first, so that no connection freed below goes to a waiting query.
void Database::drop_connections() {
  while (!queue_.empty()) leave_queue(queue_.front(), Outcome::outage);
  while (!running_.empty()) {
    const RequestId id = running_.pop_front();
    sim().cancel(requests()[id].work);
    --busy_;
    set_levels();
    end_request(id, Outcome::outage);
  }
}

void Database::query_done(RequestId id) {
  running_.remove(id);
  pass_worker(busy_, queue_, [this](RequestId next) { start(next); });
  end_request(id, Outcome::success);
}

void Database::leave_queue(RequestId id, Outcome outcome) {
  Request& r = requests()[id];
  sim().cancel(r.timeout);
  sim().cancel(r.work);
  queue_.remove(id);
  set_levels();
  respond(id, outcome);
  requests().release(id);
}

void Database::withdraw(RequestId id) {
  Request& r = requests()[id];
  sim().cancel(r.timeout);
  if (r.state == Request::State::waiting) sim().cancel(r.work);  // the pool timeout
  give_up(id, queue_);
  set_levels();
}

void Database::set_levels() {
  Service::set_levels(busy_, queue_.size());
}

}  // namespace

std::vector<std::string> DatabaseType::keys() {
  return {"connections", "query", "pool_timeout", "contention"};
}

DatabaseConfig DatabaseType::read(const YamlMap& m) {
  DatabaseConfig db;
  db.connections = static_cast<std::uint64_t>(m.required("connections").as_integer(1, kMaxWorkers));
  db.query = m.required("query").as_distribution();
  if (const auto n = m.get("pool_timeout")) {
    db.pool_timeout = read_positive_duration(*n, "a pool timeout");
  }
  if (const auto n = m.get("contention")) {
    if (!n->is_map()) n->expected("a map with 'above' and 'slowdown'");
    const YamlMap c(*n, {"above", "slowdown"});
    ContentionConfig contention;
    contention.above = static_cast<std::uint64_t>(
        c.required("above").as_integer(0, static_cast<std::int64_t>(db.connections)));
    const YamlNode slowdown = c.required("slowdown");
    contention.slowdown = slowdown.as_number();
    if (contention.slowdown < 0.0) slowdown.expected("a slowdown >= 0 (a fraction per connection)");
    db.contention = contention;
  }
  return db;
}

std::unique_ptr<Service> DatabaseType::make(const ServiceConfig& service,
                                            const ServiceContext& context,
                                            const ServiceStreams& streams) {
  return std::make_unique<Database>(service, context, streams("query"));
}

std::string DatabaseType::size_label(const DatabaseConfig& config) {
  return fmt::format("database {} connections", config.connections);
}

void DatabaseType::estimate(const DatabaseConfig& config, const ResponseTimes&,
                            ServiceEstimate& e) {
  estimate_queue(e, static_cast<int>(config.connections), config.query.mean(), config.query.scv());
  e.unit_workers = 1;
}

std::string DatabaseType::estimate_note(const DatabaseConfig&) {
  return "Databases without contention slowdown and pool timeouts (both ignored here).";
}

}  // namespace surgesim::models
