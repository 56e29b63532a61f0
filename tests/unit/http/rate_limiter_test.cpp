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

TEST_CASE("rate limiter: when full of busy keys, new keys share one overflow bucket") {
  FakeClock clock;
  RateLimiter limiter(clock, 1, 60.0, 3);
  CHECK(limiter.take("a") == 0);
  CHECK(limiter.take("b") == 0);
  CHECK(limiter.take("c") == 0);
  CHECK(limiter.take("d") == 0);  // the overflow bucket's one token
  CHECK(limiter.take("e") > 0);   // a fresh key is no way around the limit
  CHECK(limiter.take("a") > 0);   // and no busy key was forgotten
  clock.advance(60);
  CHECK(limiter.take("f") == 0);  // "a" is full again: its slot is reused
  CHECK(limiter.take("f") > 0);
}

TEST_CASE("rate limiter: the least recently used bucket is dropped once it is full again") {
  FakeClock clock;
  RateLimiter limiter(clock, 2, 1.0, 2);
  CHECK(limiter.take("old") == 0);
  clock.advance(2);  // "old" is full again
  CHECK(limiter.take("recent") == 0);
  CHECK(limiter.take("recent") == 0);
  CHECK(limiter.take("new") == 0);  // takes the slot of "old"
  CHECK(limiter.size() == 2);
  CHECK(limiter.take("recent") > 0);  // kept its state
  CHECK(limiter.take("new") == 0);
  CHECK(limiter.take("new") > 0);
}
