// The two sharing keys, kept in files outside the database (DESIGN.md, Privacy): AES-256-GCM for
// rows at rest, and the HMAC-SHA256 key that turns a member id into a pseudonym.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hub::sharing {

// Reads a key file written by `cohorthub init`: base64url of 32 bytes, then a newline.
// Throws std::runtime_error (start-up only) when it is missing or malformed.
std::string load_key_file(const std::string& path);

class RecordCipher {
 public:
  // REQUIRES: key.size() == 32.
  explicit RecordCipher(std::string key) : key_(std::move(key)) {}
  // nonce (12 random bytes) || ciphertext || tag (16 bytes). `aad` binds the row (id and owner).
  std::string seal(std::string_view plaintext, std::string_view aad) const;
  // nullopt when the blob was altered, or sealed under another key or another aad.
  std::optional<std::string> open(std::string_view sealed, std::string_view aad) const;

 private:
  const std::string key_;  // raw 32 bytes
};

class Pseudonymizer {
 public:
  explicit Pseudonymizer(std::string key) : key_(std::move(key)) {}
  // HMAC-SHA256(K, decimal member id), raw 32 bytes.
  std::string pseudonym(std::int64_t member_id) const;

 private:
  const std::string key_;  // raw 32 bytes
};

}  // namespace hub::sharing
