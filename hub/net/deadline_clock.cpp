#include "hub/net/deadline_clock.hpp"

#include <atomic>

namespace hub::net {

namespace {
std::atomic<deadline_clock::rep> offset{0};  // ticks added to steady_clock; only grows
std::atomic<bool> moved{false};
}  // namespace

deadline_clock::time_point deadline_clock::now() noexcept {
  const auto steady = std::chrono::steady_clock::now().time_since_epoch();
  return time_point(steady + duration(offset.load(std::memory_order_relaxed)));
}

void deadline_clock::advance(duration d) {
  moved.store(true, std::memory_order_relaxed);
  offset.fetch_add(d.count(), std::memory_order_relaxed);
}

bool deadline_clock::advanced() noexcept { return moved.load(std::memory_order_relaxed); }

}  // namespace hub::net
