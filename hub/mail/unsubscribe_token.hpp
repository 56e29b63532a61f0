// One-click unsubscribe tokens (RFC 8058): HMAC-SHA256-signed (user, kind, expiry, nonce), so a
// link works without logging in, changes only the preference it names, and cannot be forged.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hub/http/error.hpp"

namespace hub::mail {

struct UnsubscribeClaim {
  std::int64_t user_id = 0;
  std::string kind;         // one of kMailKinds
  std::int64_t expires_at = 0;
  std::string nonce;        // hex; a used nonce is recorded so that the link works once
};

class UnsubscribeSigner {
 public:
  // REQUIRES: `key` holds at least 32 bytes of secret.
  explicit UnsubscribeSigner(std::string key) : key_(std::move(key)) {}

  // A URL-safe token for `user_id` and `kind`, valid until `expires_at`.
  std::string sign(std::int64_t user_id, std::string_view kind, std::int64_t expires_at) const;
  // The claim of a well-signed, unexpired token. Forged, malformed or expired: 400 bad_request.
  http::Result<UnsubscribeClaim> verify(std::string_view token, std::int64_t now) const;

 private:
  std::string mac(std::string_view payload) const;

  const std::string key_;  // the secret of keys/mail-unsubscribe.key
};

// Reads the key file, creating it (0600, random) when it does not exist. Throws on failure.
std::string load_or_create_key(const std::string& path);

}  // namespace hub::mail
