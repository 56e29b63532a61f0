#include <catch2/catch.hpp>

#include "hub/http/rate_limiter.hpp"

using namespace hub;
using hub::http::RateLimiter;

TEST_CASE("rate limiter: a burst passes, the next attempt waits, time refills") {
  FakeClock clock;
  RateLimiter limiter(clock, 3, 10.0);
  CHECK(limiter.take("k") == 0);
  CHECK(limiter.take("k") == 0);
  CHECK(limiter.take("k") == 0);
  CHECK(limiter.take("k") == 10);
  clock.advance(4);
  CHECK(limiter.take("k") == 6);
  clock.advance(6);
  CHECK(limiter.take("k") == 0);
  CHECK(limiter.take("other") == 0);  // keys are independent
}

TEST_CASE("rate limiter: a refund gives the token back") {
  FakeClock clock;
  RateLimiter limiter(clock, 1, 60.0);
  CHECK(limiter.take("k") == 0);
  CHECK(limiter.take("k") > 0);
  limiter.refund("k");
  CHECK(limiter.take("k") == 0);
}

TEST_CASE("rate limiter: memory stays bounded, and busy keys keep their state") {
  FakeClock clock;
  RateLimiter limiter(clock, 1, 60.0, 10);
  CHECK(limiter.take("busy") == 0);
  for (int i = 0; i < 1000; ++i) limiter.take("k" + std::to_string(i));
  CHECK(limiter.take("busy") > 0);
}
