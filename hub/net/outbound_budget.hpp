// One budget for every byte queued to be sent, across all connections.
#pragma once

#include <atomic>
#include <cstddef>

namespace hub::net {

// HTTP responses being written and WebSocket frames waiting are charged here, so many slow
// readers together cannot hold more than `max_bytes` of memory. Thread-safe.
class outbound_budget {
 public:
  explicit outbound_budget(std::size_t max_bytes) : max_(max_bytes) {}

  // Charges `n` bytes if they fit; otherwise charges nothing and returns false.
  bool try_charge(std::size_t n);
  // Pays back `n` bytes charged earlier.
  void release(std::size_t n) { used_.fetch_sub(n, std::memory_order_relaxed); }
  std::size_t used() const { return used_.load(std::memory_order_relaxed); }

 private:
  const std::size_t max_;
  std::atomic<std::size_t> used_{0};
};

}  // namespace hub::net
