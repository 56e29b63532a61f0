// Password hashing with scrypt (OpenSSL 3.0 EVP_KDF), and the password policy.
#pragma once

#include <string>
#include <string_view>

#include "hub/http/error.hpp"

namespace hub::auth {

inline constexpr std::size_t kMinPasswordLength = 10;
inline constexpr std::size_t kMaxPasswordBytes = 1024;  // longer ones are refused, not truncated

// Checks length and a list of very common passwords; names the field "password".
http::Status check_password_policy(std::string_view password, std::string_view handle);

// "$scrypt$ln=17,r=8,p=1$<salt>$<hash>" with base64url salt and hash. CPU-heavy: run it on the pool.
// REQUIRES: 10 <= log2_n <= 20.
std::string hash_password(std::string_view password, int log2_n);
// Constant-time check against a stored hash, at the cost the hash records; false for a malformed hash.
bool verify_password(std::string_view password, std::string_view stored);
// The log2 N a stored hash was made with; 0 for a malformed one. A login re-hashes below the configured cost.
int stored_cost_log2_n(std::string_view stored);

}  // namespace hub::auth
