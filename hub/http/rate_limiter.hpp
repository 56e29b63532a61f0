// Token buckets keyed by a string (an IP, a handle). Thread-safe, bounded in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "hub/http/clock.hpp"

namespace hub::http {

class RateLimiter {
 public:
  // `burst` attempts at once, refilled at one per `refill_seconds`.
  RateLimiter(const Clock& clock, int burst, double refill_seconds, std::size_t max_keys = 100'000);

  // Takes one token for `key`. Returns 0 when allowed, else the seconds until one is free.
  int take(const std::string& key);
  // Returns the token (e.g. a successful login does not count against the handle).
  void refund(const std::string& key);

 private:
  struct Bucket {
    double tokens;
    double updated;  // clock seconds
  };
  void refill(Bucket& b, double now) const;

  const Clock& clock_;
  const int burst_;
  const double refill_seconds_;
  const std::size_t max_keys_;
  std::mutex mutex_;                                 // guards buckets_
  std::unordered_map<std::string, Bucket> buckets_;  // keys that are full get dropped when over max_keys_
};

}  // namespace hub::http
