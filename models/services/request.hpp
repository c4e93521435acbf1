#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "models/services/cause.hpp"
#include "sim/event_queue.hpp"

namespace surgesim::models {

using RequestId = std::uint32_t;
inline constexpr RequestId kNoRequest = 0xffffffffu;

inline constexpr std::uint32_t kNoService = 0xffffffffu;

// One request in flight at a service: a page request from a shopper, or a downstream
// call made by another request (its `parent`). Pooled: a slot is reused once the
// service is done with it, so memory follows requests in flight, not requests simulated.
struct Request {
  enum class State : std::uint8_t { free, waiting, in_service, calling };

  std::uint32_t session = 0;  // the shopper session it works for
  std::uint32_t service = 0;
  sim::Time arrival_t = 0.0;
  RequestId prev = kNoRequest;  // links of a FIFO queue or of an instance's running list
  RequestId next = kNoRequest;
  RequestId parent = kNoRequest;  // the caller; kNoRequest: the shopper
  RequestId child = kNoRequest;   // the downstream call in flight
  sim::EventHandle timeout;
  sim::EventHandle work;  // end of own work, or of a call's retry backoff (cancelled when the
                          // instance dies)
  std::uint32_t blame = kNoService;  // the service whose failure ended it (deepest first)
  std::uint32_t slot = 0;            // where it runs: instance, provider, ...
  std::uint16_t step = 0;            // next call to make; payment attempts
  std::uint16_t dependency = 0;      // the call in progress (see Service::call)
  std::uint8_t attempt = 0;          // retries of that call made so far
  State state = State::free;
  bool answered = false;  // a response (e.g. timeout) went out; the work may still run
  bool orphaned = false;  // the shopper gave up: the result will be wasted
  bool detached = false;  // nobody listens any more (shopper gone, caller dead)
  bool degraded = false;  // an optional call failed; the answer goes out without it
  bool trial = false;     // the half-open trial of its caller's breaker
};

// Told when a request pool's storage grows past a level (see RequestPool::watch).
class PoolWatcher {
 public:
  virtual void on_pool_growth() = 0;

 protected:
  ~PoolWatcher() = default;
};

class RequestPool {
 public:
  RequestId acquire() {
    RequestId id;
    if (free_.empty()) {
      id = static_cast<RequestId>(size_);
      if (size_ % kChunk == 0) grow();
      ++size_;
    } else {
      id = free_.back();
      free_.pop_back();
      (*this)[id] = Request{};
    }
    return id;
  }
  void release(RequestId id) { release(id, (*this)[id]); }
  // The same with the request at hand (`r` is (*this)[id]).
  void release(RequestId id, Request& r) {
    r.state = Request::State::free;
    free_.push_back(id);
  }
  Request& operator[](RequestId id) { return chunks_[id / kChunk][id % kChunk]; }
  const Request& operator[](RequestId id) const { return chunks_[id / kChunk][id % kChunk]; }
  std::size_t in_flight() const { return size_ - free_.size(); }
  // Slots ever used: the storage the pool holds, which never shrinks.
  std::size_t slots() const { return size_; }
  // Calls watcher->on_pool_growth() once, when the storage first grows with at least
  // `slots` in use; call again to re-arm. Memory grows only here, so whoever watches it
  // (the overload guard) costs nothing per request.
  void watch(std::size_t slots, PoolWatcher* watcher) {
    watch_at_ = slots;
    watcher_ = watcher;
  }

 private:
  void grow() {
    chunks_.push_back(std::make_unique<Request[]>(kChunk));
    if (watcher_ != nullptr && size_ >= watch_at_)
      std::exchange(watcher_, nullptr)->on_pool_growth();
  }
  // Fixed-size chunks keep references valid while the pool grows (a service acquires
  // a request for a downstream call while holding a reference to its own) and keep
  // indexing to a shift and a mask.
  static constexpr std::size_t kChunk = 4096;
  std::vector<std::unique_ptr<Request[]>> chunks_;
  std::size_t size_ = 0;
  std::vector<RequestId> free_;
  std::size_t watch_at_ = 0;
  PoolWatcher* watcher_ = nullptr;
};

// An intrusive FIFO through the requests' prev/next links: O(1) push, pop and removal
// from the middle (a shopper giving up), with no allocation.
class RequestQueue {
 public:
  explicit RequestQueue(RequestPool& pool) : pool_(&pool) {}
  bool empty() const { return head_ == kNoRequest; }
  std::uint64_t size() const { return size_; }
  RequestId front() const { return head_; }
  void push_back(RequestId id);
  void remove(RequestId id);
  RequestId pop_front() {
    const RequestId id = head_;
    remove(id);
    return id;
  }

 private:
  RequestPool* pool_;
  RequestId head_ = kNoRequest;
  RequestId tail_ = kNoRequest;
  std::uint64_t size_ = 0;
};

inline void RequestQueue::push_back(RequestId id) {
  Request& r = (*pool_)[id];
  r.prev = tail_;
  r.next = kNoRequest;
  if (tail_ == kNoRequest) {
    head_ = id;
  } else {
    (*pool_)[tail_].next = id;
  }
  tail_ = id;
  ++size_;
}

inline void RequestQueue::remove(RequestId id) {
  Request& r = (*pool_)[id];
  if (r.prev == kNoRequest) {
    head_ = r.next;
  } else {
    (*pool_)[r.prev].next = r.next;
  }
  if (r.next == kNoRequest) {
    tail_ = r.prev;
  } else {
    (*pool_)[r.next].prev = r.prev;
  }
  r.prev = r.next = kNoRequest;
  --size_;
}

}  // namespace surgesim::models
