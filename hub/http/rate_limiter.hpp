// Token buckets keyed by a string (an address, a handle). Thread-safe, bounded in memory, and
// constant-time per call: buckets sit in a list ordered by last use, and only the least recently
// used one is ever considered for eviction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
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
  // When every slot holds a bucket that is still refilling, a new key is charged against one
  // shared overflow bucket: a flood of fresh keys can neither grow memory nor reset a busy key.
  int take(const std::string& key);
  // Returns the token (e.g. a successful login does not count against the handle).
  void refund(const std::string& key);
  // Keys with a bucket of their own (at most max_keys).
  std::size_t size() const;

 private:
  struct Bucket {
    double tokens;
    double updated;                          // clock seconds
    std::list<std::string>::iterator in_use;  // this key's place in by_use_
  };
  void refill(Bucket& b, double now) const;
  int take_from(Bucket& b, double now);
  // The bucket for `key`, made when a slot is free or the least recently used bucket is full
  // again (so dropping it forgets nothing); null when neither.
  Bucket* find_or_make(const std::string& key, double now);

  const Clock& clock_;
  const int burst_;
  const double refill_seconds_;
  const std::size_t max_keys_;
  mutable std::mutex mutex_;                         // guards the three members below
  std::unordered_map<std::string, Bucket> buckets_;  // at most max_keys_
  std::list<std::string> by_use_;                    // keys of buckets_, least recently used first
  Bucket overflow_;                                  // shared by new keys while the map is full of busy ones
};

}  // namespace hub::http
