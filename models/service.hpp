#pragma once

#include <string>

#include "models/request.hpp"
#include "models/service_stats.hpp"
#include "sim/simulator.hpp"

namespace surgesim::models {

// Who hears back from services: told when a request's own work starts (patience that
// covers only the queue stops there) and when its response goes out.
class ResponseSink {
 public:
  virtual void on_service_start(RequestId id) = 0;
  virtual void on_response(RequestId id, Outcome outcome) = 0;

 protected:
  ~ResponseSink() = default;
};

// What every service is built with: the clock, the request pool, the response sink.
struct ServiceContext {
  sim::Simulator* sim;
  RequestPool* requests;
  ResponseSink* sink;
};

// A node of the call graph. A service owns a request from `arrive` until it is done
// with it (answered and, if it was in service, its work finished) and then releases it.
class Service : public sim::EventTarget {
 public:
  Service(std::string name, ServiceContext context) : name_(std::move(name)), ctx_(context) {}
  virtual ~Service() = default;
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  const std::string& name() const { return name_; }
  ServiceStats& stats() { return stats_; }
  const ServiceStats& stats() const { return stats_; }

  virtual void arrive(RequestId id) = 0;
  // The shopper gave up: a waiting request leaves the queue; one in service runs on
  // and its result is wasted.
  virtual void withdraw(RequestId id) = 0;

 protected:
  sim::Simulator& sim() { return *ctx_.sim; }
  RequestPool& requests() { return *ctx_.requests; }
  ResponseSink& sink() { return *ctx_.sink; }

  ServiceStats stats_;

 private:
  std::string name_;
  ServiceContext ctx_;
};

}  // namespace surgesim::models
