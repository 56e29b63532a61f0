// Recently authenticated credentials, so most requests skip the DB round trip for authentication.
// Entries live at most `ttl_s` (and never past a session's expiry); logout and token revocation
// forget theirs at once.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "hub/http/clock.hpp"
#include "hub/http/router.hpp"

namespace hub::auth {

class PrincipalCache {
 public:
  PrincipalCache(const Clock& clock, std::int64_t ttl_s, std::size_t max_entries = 100'000);

  // `key` is the stored hash of a session id or API token.
  std::optional<http::Principal> get(const std::string& key);
  // Keeps `principal` until now + ttl, or `expires_at` if that is sooner (0: no own expiry).
  void put(const std::string& key, const http::Principal& principal, std::int64_t expires_at);
  void forget(const std::string& key);

 private:
  struct Entry {
    http::Principal principal;
    std::int64_t valid_until;
  };
  const Clock& clock_;
  const std::int64_t ttl_s_;
  const std::size_t max_entries_;
  std::mutex mutex_;                               // guards entries_
  std::unordered_map<std::string, Entry> entries_;  // cleared whole when it reaches max_entries_
};

}  // namespace hub::auth
