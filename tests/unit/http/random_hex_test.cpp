// random_hex: the random identifiers of mail and of the events' nonces.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "hub/http/random_hex.hpp"

TEST_CASE("random_hex: two lowercase hex digits per byte, a new value each time") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string v = hub::http::random_hex(8);
    CHECK(v.size() == 16);
    CHECK(v.find_first_not_of("0123456789abcdef") == std::string::npos);
    seen.insert(v);
  }
  CHECK(seen.size() == 100);
  CHECK(hub::http::random_hex(0).empty());
  CHECK(hub::http::random_hex(16).size() == 32);
}
