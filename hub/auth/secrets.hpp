// Random tokens, hashing and constant-time comparison, all through OpenSSL.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hub::auth {

// `bytes` random bytes from RAND_bytes, base64url without padding. Throws if the RNG fails.
std::string random_token(std::size_t bytes);
// Lowercase hex SHA-256 of `data`: how session ids, API tokens and invite codes are stored.
std::string sha256_hex(std::string_view data);
std::string base64url(std::string_view bytes);
// Decodes unpadded base64url; false on a bad character.
bool base64url_decode(std::string_view text, std::string& out);
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace hub::auth
