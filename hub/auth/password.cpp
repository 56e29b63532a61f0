#include "hub/auth/password.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <optional>
#include <stdexcept>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "hub/auth/secrets.hpp"

namespace hub::auth {
namespace {

constexpr std::size_t kHashBytes = 32;

// The most common passwords of at least 10 characters, from public breach-frequency lists.
constexpr std::array<std::string_view, 20> kCommon = {
    "1234567890", "123456789a", "qwertyuiop", "password12", "password123", "1q2w3e4r5t", "qwerty1234",
    "iloveyou12", "abcdefghij", "0987654321", "1111111111", "0000000000", "passw0rd12", "password1!",
    "letmein123", "welcome123", "qwerty123456", "123456789012", "changeme123", "administrator"};

bool scrypt(std::string_view password, std::string_view salt, std::uint64_t n, std::uint32_t r, std::uint32_t p,
            unsigned char* out, std::size_t out_len) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "SCRYPT", nullptr);
  if (!kdf) return false;
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (!ctx) return false;
  std::uint64_t maxmem = 1ull << 30;  // room for N up to 2^20 with r=8
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, const_cast<char*>(password.data()), password.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<char*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
      OSSL_PARAM_construct_end()};
  bool ok = EVP_KDF_derive(ctx, out, out_len, params) == 1;
  EVP_KDF_CTX_free(ctx);
  return ok;
}

}  // namespace

http::Status check_password_policy(std::string_view password, std::string_view handle) {
  if (password.size() > kMaxPasswordBytes)
    return http::ApiError::invalid_field("password", "The password is longer than 1024 bytes.");
  if (password.size() < kMinPasswordLength)
    return http::ApiError::invalid_field("password", "Use at least 10 characters for the password.");
  std::string lower(password);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (std::find(kCommon.begin(), kCommon.end(), lower) != kCommon.end() || lower == handle ||
      std::all_of(lower.begin(), lower.end(), [&](char c) { return c == lower[0]; }))
    return http::ApiError::invalid_field("password", "That password is too easy to guess; choose another.");
  return http::Ok{};
}

std::string hash_password(std::string_view password, int log2_n) {
  const std::string salt = random_token(16);
  unsigned char out[kHashBytes];
  if (!scrypt(password, salt, 1ull << log2_n, 8, 1, out, sizeof out)) throw std::runtime_error("scrypt failed");
  return "$scrypt$ln=" + std::to_string(log2_n) + ",r=8,p=1$" + salt + "$" +
         base64url(std::string_view(reinterpret_cast<const char*>(out), sizeof out));
}

namespace {

struct StoredHash {
  int ln = 0, r = 0, p = 0;
  std::string salt;
  std::string expected;  // the decoded hash
};

std::optional<StoredHash> parse_stored(std::string_view stored) {
  StoredHash h;
  char salt[64] = {0}, hash[64] = {0};
  std::string copy(stored);
  if (std::sscanf(copy.c_str(), "$scrypt$ln=%d,r=%d,p=%d$%63[^$]$%63s", &h.ln, &h.r, &h.p, salt, hash) != 5)
    return std::nullopt;
  if (h.ln < 10 || h.ln > 20 || h.r < 1 || h.r > 32 || h.p < 1 || h.p > 16) return std::nullopt;
  if (!base64url_decode(hash, h.expected) || h.expected.size() != kHashBytes) return std::nullopt;
  h.salt = salt;
  return h;
}

}  // namespace

bool verify_password(std::string_view password, std::string_view stored) {
  auto h = parse_stored(stored);
  if (!h) return false;
  unsigned char out[kHashBytes];
  if (!scrypt(password, h->salt, 1ull << h->ln, static_cast<std::uint32_t>(h->r), static_cast<std::uint32_t>(h->p),
              out, sizeof out))
    return false;
  return constant_time_equal(h->expected, std::string_view(reinterpret_cast<const char*>(out), sizeof out));
}

int stored_cost_log2_n(std::string_view stored) {
  auto h = parse_stored(stored);
  return h ? h->ln : 0;
}

}  // namespace hub::auth
