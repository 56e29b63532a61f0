#include <catch2/catch.hpp>

#include "hub/auth/client_address.hpp"

using namespace hub;
using hub::auth::TrustedProxies;
using hub::auth::throttle_key;

namespace {
http::Request from(const std::string& peer, const std::string& forwarded = "") {
  http::Request r;
  r.remote_ip = peer;
  if (!forwarded.empty()) r.headers.set("X-Forwarded-For", forwarded);
  return r;
}
}  // namespace

TEST_CASE("client address: with no trusted proxy, X-Forwarded-For is ignored") {
  auto none = TrustedProxies::parse("");
  CHECK(none.client_of(from("127.0.0.1", "198.51.100.7")) == "127.0.0.1");
}

TEST_CASE("client address: a trusted proxy's X-Forwarded-For names the client, read from the right") {
  auto proxies = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8 ::1");
  CHECK(proxies.client_of(from("127.0.0.1", "198.51.100.7")) == "198.51.100.7");
  CHECK(proxies.client_of(from("127.0.0.1", "6.6.6.6, 198.51.100.7")) == "198.51.100.7");  // spoofed left part
  CHECK(proxies.client_of(from("127.0.0.1", "198.51.100.7, 10.1.2.3")) == "198.51.100.7");  // two proxies
  CHECK(proxies.client_of(from("::1", "2001:db8::5")) == "2001:db8::5");
  CHECK(proxies.client_of(from("127.0.0.1")) == "127.0.0.1");                 // no header: the proxy itself
  CHECK(proxies.client_of(from("127.0.0.1", "not an ip")) == "127.0.0.1");
  CHECK(proxies.client_of(from("192.0.2.9", "198.51.100.7")) == "192.0.2.9");  // not a proxy of ours
  CHECK(proxies.contains("10.200.0.1"));
  CHECK_FALSE(proxies.contains("11.0.0.1"));
}

TEST_CASE("client address: bad trusted_proxies entries are refused by name") {
  CHECK_THROWS_WITH(TrustedProxies::parse("127.0.0.1, localhost"), Catch::Contains("localhost"));
  CHECK_THROWS_WITH(TrustedProxies::parse("10.0.0.0/33"), Catch::Contains("10.0.0.0/33"));
  CHECK_THROWS_WITH(TrustedProxies::parse("10.0.0.0/"), Catch::Contains("prefix"));
  CHECK_NOTHROW(TrustedProxies::parse("2001:db8::/32"));
}

TEST_CASE("client address: IPv6 clients are counted by /64, IPv4 by address") {
  CHECK(throttle_key("2001:db8:1:2::1") == throttle_key("2001:db8:1:2:ffff:ffff:ffff:ffff"));
  CHECK(throttle_key("2001:db8:1:2::1") != throttle_key("2001:db8:1:3::1"));
  CHECK(throttle_key("2001:db8:1:2::1") == "2001:db8:1:2::/64");
  CHECK(throttle_key("198.51.100.7") == "198.51.100.7");
  CHECK(throttle_key("::ffff:198.51.100.7") == "198.51.100.7");
  CHECK(throttle_key("198.51.100.7") != throttle_key("198.51.100.8"));
}
