#include "hub/http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace hub::http {

RateLimiter::RateLimiter(const Clock& clock, int burst, double refill_seconds, std::size_t max_keys)
    : clock_(clock),
      burst_(burst),
      refill_seconds_(refill_seconds),
      max_keys_(std::max<std::size_t>(1, max_keys)),
      overflow_{static_cast<double>(burst), static_cast<double>(clock.now()), {}} {}

void RateLimiter::refill(Bucket& b, double now) const {
  b.tokens = std::min<double>(burst_, b.tokens + (now - b.updated) / refill_seconds_);
  b.updated = now;
}

int RateLimiter::take_from(Bucket& b, double now) {
  refill(b, now);
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) * refill_seconds_)));
}

RateLimiter::Bucket* RateLimiter::find_or_make(const std::string& key, double now) {
  if (auto it = buckets_.find(key); it != buckets_.end()) {
    by_use_.splice(by_use_.end(), by_use_, it->second.in_use);
    return &it->second;
  }
  if (buckets_.size() >= max_keys_) {
    auto oldest = buckets_.find(by_use_.front());
    refill(oldest->second, now);
    if (oldest->second.tokens < burst_) return nullptr;  // the least recently used is still refilling
    buckets_.erase(oldest);
    by_use_.pop_front();
  }
  by_use_.push_back(key);
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{static_cast<double>(burst_), now, std::prev(by_use_.end())});
  return &it->second;
}

int RateLimiter::take(const std::string& key) {
  const double now = static_cast<double>(clock_.now());
  std::lock_guard lock(mutex_);
  Bucket* b = find_or_make(key, now);
  return take_from(b ? *b : overflow_, now);
}

void RateLimiter::refund(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(key);
  Bucket& b = it != buckets_.end() ? it->second : overflow_;
  b.tokens = std::min<double>(burst_, b.tokens + 1.0);
}

std::size_t RateLimiter::size() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace hub::http
