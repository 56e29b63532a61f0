// The outbound client's plain parts: URLs, redirect targets and the fake used by bridge tests.
#include <catch2/catch.hpp>

#include "hub/http/client.hpp"
#include "tests/unit/support/run_coro.hpp"

using namespace hub::http;

TEST_CASE("client url: scheme, host, port and target are taken apart") {
  auto u = parse_url("https://matrix.example.org/_matrix/client/v3/sync?since=s1#x");
  REQUIRE(u);
  CHECK(u->tls);
  CHECK(u->host == "matrix.example.org");
  CHECK(u->port == 443);
  CHECK(u->target == "/_matrix/client/v3/sync?since=s1");
  u = parse_url("http://[::1]:8008");
  REQUIRE(u);
  CHECK(u->host == "::1");
  CHECK(u->port == 8008);
  CHECK(u->target == "/");
  CHECK(parse_url("http://h?q=1")->target == "/?q=1");
  for (const char* bad : {"", "https://", "ftp://h/", "http://u:p@h/", "http://h:0/", "http://h:65536/",
                          "http://h:8x/", "http://[::1/", "http://h/a b", "http://h/\x01"})
    CHECK_FALSE(parse_url(bad));
}

TEST_CASE("client url: a Location resolves against the request's origin, never to another scheme-relative host") {
  const Url base = *parse_url("https://hs.example:8448/a/b");
  CHECK(resolve_location(base, "/c?d") == "https://hs.example:8448/c?d");
  CHECK(resolve_location(base, "http://other.example/x") == "http://other.example/x");
  CHECK_FALSE(resolve_location(base, "//evil.example/x"));
  CHECK_FALSE(resolve_location(base, "relative/path"));
  CHECK_FALSE(resolve_location(base, ""));
}

TEST_CASE("fake client: requests are recorded and answered by the script") {
  FakeHttpClient fake;
  fake.answer = [](const ClientRequest& r) {
    ClientResponse out;
    out.status = r.method == Method::put ? 200 : 429;
    out.body = r.url;
    return out;
  };
  ClientRequest put;
  put.method = Method::put;
  put.url = "https://hs.example/_matrix/client/v3/rooms/!r/send/m.room.message/t1";
  put.body = "{}";
  auto r = hub::testing::run_coro(fake.send(put));
  CHECK(r.status == 200);
  CHECK(r.body == put.url);
  CHECK(hub::testing::run_coro(fake.send(ClientRequest{})).status == 429);
  REQUIRE(fake.requests().size() == 2);
  CHECK(fake.requests()[0].body == "{}");
  CHECK(client_error_name(ClientError::too_large) == "too_large");
}
