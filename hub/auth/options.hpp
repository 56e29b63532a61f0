#pragma once

#include <cstdint>
#include <string>

namespace hub::auth {

// OWASP's minimum scrypt cost (N=2^17, r=8, p=1): about 0.5 s and 128 MiB per hash here.
inline constexpr int kMinScryptLog2N = 17;

struct AuthOptions {
  int scrypt_log2_n = kMinScryptLog2N;
  std::int64_t session_ttl_s = 14 * 24 * 3600;  // absolute session lifetime
  bool secure_cookies = false;                  // under TLS: Secure and the __Host- prefix
  int login_burst_per_ip = 10;                  // attempts at once, then one per refill period
  double login_refill_per_ip_s = 6;
  int login_burst_per_handle = 5;
  double login_refill_per_handle_s = 60;
  std::int64_t principal_cache_ttl_s = 30;      // how long an authenticated credential is remembered
  std::string trusted_proxies;                  // whose X-Forwarded-For names the client (server.trusted_proxies)
};

}  // namespace hub::auth
