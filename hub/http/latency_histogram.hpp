// A latency histogram for hot paths: observe() takes no lock (relaxed atomics), so the posting
// path and the fan-out can time their stages without slowing down. /metrics renders it.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace hub::http {

class LatencyHistogram {
 public:
  // Upper bounds in seconds: 0.1 ms to 1 s in steps of about 1.5x, fine enough to read a p99.
  static constexpr std::array<double, 25> kBounds = {
      0.0001, 0.00015, 0.0002, 0.0003, 0.0005, 0.0007, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.007, 0.01,
      0.015,  0.02,    0.03,   0.05,   0.07,   0.1,    0.15,  0.2,    0.3,   0.5,   0.7,   1.0};

  void observe(std::chrono::steady_clock::duration d) {
    const auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(
        0, std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()));
    const double seconds = static_cast<double>(ns) / 1e9;
    std::size_t i = 0;
    while (i < kBounds.size() && seconds > kBounds[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(ns, std::memory_order_relaxed);
    std::uint64_t max = max_ns_.load(std::memory_order_relaxed);
    while (ns > max && !max_ns_.compare_exchange_weak(max, ns, std::memory_order_relaxed)) {
    }
  }
  void observe_since(std::chrono::steady_clock::time_point start) { observe(std::chrono::steady_clock::now() - start); }

  // Observations in bucket i (not cumulative); i == kBounds.size() is +Inf.
  std::uint64_t bucket(std::size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum_seconds() const { return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9; }
  double max_seconds() const { return static_cast<double>(max_ns_.load(std::memory_order_relaxed)) / 1e9; }

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_ns_{0};
  std::atomic<std::uint64_t> max_ns_{0};
};

}  // namespace hub::http
