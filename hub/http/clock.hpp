// The clock seam: production reads the system clock, tests drive a fake one.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace hub {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch.
  virtual std::int64_t now() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t now() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t start = 1'800'000'000) : now_(start) {}
  std::int64_t now() const override { return now_.load(); }
  void advance(std::int64_t seconds) { now_ += seconds; }

 private:
  std::atomic<std::int64_t> now_;  // atomic: read from DB threads, advanced by the test
};

// RFC 3339 UTC, e.g. 2026-11-21T18:00:00Z.
std::string format_rfc3339(std::int64_t unix_seconds);
// YYYY-MM-DD (UTC) of a Unix time.
std::string format_date(std::int64_t unix_seconds);

}  // namespace hub
