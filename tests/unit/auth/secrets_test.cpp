#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "hub/auth/secrets.hpp"

using namespace hub::auth;

TEST_CASE("secrets: base64url round-trips every length and refuses foreign characters") {
  for (std::size_t n = 0; n < 40; ++n) {
    std::string bytes;
    for (std::size_t i = 0; i < n; ++i) bytes += static_cast<char>(i * 37 + 11);
    std::string decoded;
    REQUIRE(base64url_decode(base64url(bytes), decoded));
    CHECK(decoded == bytes);
  }
  std::string out;
  CHECK_FALSE(base64url_decode("ab+c", out));
  CHECK_FALSE(base64url_decode("ab/c", out));
  CHECK_FALSE(base64url_decode("a", out));
}

TEST_CASE("secrets: tokens are random and URL-safe, SHA-256 matches a known vector") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(random_token(32));
  CHECK(seen.size() == 100);
  CHECK(seen.begin()->size() == 43);
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
}

TEST_CASE("secrets: SHA-256 reuses its per-thread context without carrying state between calls") {
  const std::string empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  const std::string abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  CHECK(sha256_hex("") == empty);
  CHECK(sha256_hex("abc") == abc);
  CHECK(sha256_hex("") == empty);  // a second call starts from a fresh state
  std::string other_thread;
  std::thread t([&] { other_thread = sha256_hex("abc"); });
  t.join();
  CHECK(other_thread == abc);
}
