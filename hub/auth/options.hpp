#pragma once

#include <cstdint>

namespace hub::auth {

struct AuthOptions {
  int scrypt_log2_n = 15;                       // 2^15: about 0.11 s and 32 MiB per hash here
  std::int64_t session_ttl_s = 14 * 24 * 3600;  // absolute session lifetime
  bool secure_cookies = false;                  // under TLS: Secure and the __Host- prefix
  int login_burst_per_ip = 10;                  // attempts at once, then one per refill period
  double login_refill_per_ip_s = 6;
  int login_burst_per_handle = 5;
  double login_refill_per_handle_s = 60;
  std::int64_t principal_cache_ttl_s = 30;      // how long an authenticated credential is remembered
};

}  // namespace hub::auth
