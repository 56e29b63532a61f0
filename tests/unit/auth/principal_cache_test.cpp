#include <catch2/catch.hpp>

#include "hub/auth/principal_cache.hpp"

using namespace hub;
using hub::auth::PrincipalCache;

namespace {
http::Principal sam() {
  http::Principal p;
  p.user_id = 7;
  p.handle = "sam";
  p.role = "member";
  return p;
}
}  // namespace

TEST_CASE("principal cache: an entry lives for the TTL, and never past the session's own expiry") {
  FakeClock clock(1000);
  PrincipalCache cache(clock, 30);
  cache.put("token", sam(), 0);
  cache.put("session", sam(), 1010);
  CHECK(cache.get("token")->handle == "sam");
  clock.advance(10);
  CHECK_FALSE(cache.get("session"));  // the session ended at 1010
  CHECK(cache.get("token"));
  clock.advance(20);
  CHECK_FALSE(cache.get("token"));  // 30 s TTL
}

TEST_CASE("principal cache: forget takes effect at once, unknown keys miss, size is bounded") {
  FakeClock clock;
  PrincipalCache cache(clock, 30, 3);
  cache.put("a", sam(), 0);
  cache.forget("a");
  CHECK_FALSE(cache.get("a"));
  CHECK_FALSE(cache.get("never"));
  for (int i = 0; i < 10; ++i) cache.put("k" + std::to_string(i), sam(), 0);
  int present = 0;
  for (int i = 0; i < 10; ++i) present += cache.get("k" + std::to_string(i)) ? 1 : 0;
  CHECK(present <= 3);
  CHECK(cache.get("k9"));  // the newest survives
}
