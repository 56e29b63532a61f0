#include "hub/http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace hub::http {

RateLimiter::RateLimiter(const Clock& clock, int burst, double refill_seconds, std::size_t max_keys)
    : clock_(clock), burst_(burst), refill_seconds_(refill_seconds), max_keys_(max_keys) {}

void RateLimiter::refill(Bucket& b, double now) const {
  b.tokens = std::min<double>(burst_, b.tokens + (now - b.updated) / refill_seconds_);
  b.updated = now;
}

int RateLimiter::take(const std::string& key) {
  const double now = static_cast<double>(clock_.now());
  std::lock_guard lock(mutex_);
  if (buckets_.size() >= max_keys_) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      refill(it->second, now);
      it = it->second.tokens >= burst_ ? buckets_.erase(it) : std::next(it);
    }
  }
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{static_cast<double>(burst_), now});
  Bucket& b = it->second;
  refill(b, now);
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  return std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) * refill_seconds_)));
}

void RateLimiter::refund(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(key);
  if (it != buckets_.end()) it->second.tokens = std::min<double>(burst_, it->second.tokens + 1.0);
}

}  // namespace hub::http
