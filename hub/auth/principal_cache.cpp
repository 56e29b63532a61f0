#include "hub/auth/principal_cache.hpp"

#include <algorithm>

namespace hub::auth {

PrincipalCache::PrincipalCache(const Clock& clock, std::int64_t ttl_s, std::size_t max_entries)
    : clock_(clock), ttl_s_(ttl_s), max_entries_(max_entries) {}

std::optional<http::Principal> PrincipalCache::get(const std::string& key) {
  const std::int64_t now = clock_.now();
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.valid_until <= now) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.principal;
}

void PrincipalCache::put(const std::string& key, const http::Principal& principal, std::int64_t expires_at) {
  std::int64_t until = clock_.now() + ttl_s_;
  if (expires_at > 0) until = std::min(until, expires_at);
  std::lock_guard lock(mutex_);
  if (entries_.size() >= max_entries_) entries_.clear();  // simple and bounded; refills on demand
  entries_.insert_or_assign(key, Entry{principal, until});
}

void PrincipalCache::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  entries_.erase(key);
}

}  // namespace hub::auth
