#include <catch2/catch.hpp>

#include <string>

#include "hub/net/request_mapping.hpp"

using hub::net::to_wire;

namespace {

hub::http::Response response(int status, std::string body = {}) {
  hub::http::Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace

TEST_CASE("net wire: status line, fields in order, Content-Length, then the body apart") {
  auto r = response(200, R"({"ok":true})");
  r.headers.add("Content-Type", "application/json");
  r.headers.add("X-Request-Id", "abc-1");
  const auto w = to_wire(std::move(r), 11, false, true);
  CHECK(w.head ==
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: abc-1\r\nContent-Length: 11\r\n\r\n");
  CHECK(w.body == R"({"ok":true})");
}

TEST_CASE("net wire: the service's own framing fields are replaced, and unsendable fields dropped") {
  auto r = response(201, "abc");
  r.headers.add("Content-Length", "999");
  r.headers.add("Transfer-Encoding", "chunked");
  r.headers.add("connection", "upgrade");
  r.headers.add("X-Split", "a\r\nSet-Cookie: evil=1");
  r.headers.add("X-Newline", "a\nb");
  r.headers.add("X-Return", "a\rb");
  r.headers.add("X-Bad\nName", "v");
  r.headers.add("", "nameless");
  r.headers.add("X-Huge", std::string(61 * 1024, 'x'));
  r.headers.add("X-Kept", "yes");
  const auto w = to_wire(std::move(r), 11, false, true);
  CHECK(w.head == "HTTP/1.1 201 Created\r\nX-Kept: yes\r\nContent-Length: 3\r\n\r\n");
}

TEST_CASE("net wire: keep-alive is spelt out only where HTTP/1.0 and 1.1 defaults differ") {
  CHECK(to_wire(response(200), 11, false, true).head == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  CHECK(to_wire(response(200), 11, false, false).head ==
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  CHECK(to_wire(response(200), 10, false, true).head ==
        "HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
  CHECK(to_wire(response(200), 10, false, false).head == "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
}

TEST_CASE("net wire: HEAD keeps the length and drops the body, 204 and 304 carry no length") {
  auto w = to_wire(response(200, "twelve bytes"), 11, true, true);
  CHECK(w.head == "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n");
  CHECK(w.body.empty());

  auto declared = response(200);
  declared.headers.add("Content-Length", "4096");
  CHECK(to_wire(std::move(declared), 11, true, true).head == "HTTP/1.1 200 OK\r\nContent-Length: 4096\r\n\r\n");
  auto bogus = response(200);
  bogus.headers.add("Content-Length", "12, 13");
  CHECK(to_wire(std::move(bogus), 11, true, true).head == "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");

  CHECK(to_wire(response(204, "ignored"), 11, false, true).head == "HTTP/1.1 204 No Content\r\n\r\n");
  CHECK(to_wire(response(304), 11, false, true).head == "HTTP/1.1 304 Not Modified\r\n\r\n");
}

TEST_CASE("net wire: unusual statuses") {
  CHECK(to_wire(response(431), 11, false, true).head.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
  CHECK(to_wire(response(299), 11, false, true).head.starts_with("HTTP/1.1 299 \r\n"));  // no reason phrase
  CHECK(to_wire(response(42), 11, false, true).head.starts_with("HTTP/1.1 500 Internal Server Error\r\n"));
  CHECK(to_wire(response(1000), 11, false, true).head.starts_with("HTTP/1.1 500 "));
}

namespace {

hub::net::wire_request_head head(unsigned version, std::initializer_list<const char*> hosts,
                                 const char* target = "/") {
  hub::net::wire_request_head h;
  h.version(version);
  h.method(boost::beast::http::verb::get);
  h.target(target);
  for (const char* host : hosts) h.insert(boost::beast::http::field::host, host);
  return h;
}

std::optional<hub::http::ApiError> mapped(const hub::net::wire_request_head& h) {
  hub::http::Request out;
  return hub::net::map_request_head(h, out);
}

}  // namespace

TEST_CASE("net request: HTTP/1.1 needs exactly one Host, no version may send two (RFC 9112 3.2)") {
  CHECK_FALSE(mapped(head(11, {"hub.example"})));
  CHECK_FALSE(mapped(head(10, {})));  // HTTP/1.0 predates Host
  CHECK_FALSE(mapped(head(10, {"a"})));
  const auto none = mapped(head(11, {}));
  REQUIRE(none);
  CHECK(none->status == 400);
  CHECK(none->code == "bad_request");
  const auto two = mapped(head(11, {"a", "b"}));
  REQUIRE(two);
  CHECK(two->status == 400);
  const auto same_twice = mapped(head(10, {"a", "a"}));
  REQUIRE(same_twice);
  CHECK(same_twice->status == 400);
}

TEST_CASE("net request: a query key or value that does not percent-decode is a 400 bad_request") {
  for (const char* target : {"/x?limit=%zz", "/x?limit=%4", "/x?a=1&b=%00", "/x?%zz=1", "/x?a=%"}) {
    INFO(target);
    const auto e = mapped(head(11, {"a"}, target));
    REQUIRE(e);
    CHECK(e->status == 400);
    CHECK(e->code == "bad_request");
  }
  for (const char* target : {"/x", "/x?", "/x?limit=20", "/x?q=a+b%21&&flag", "/x?=v", "/x?k="}) {
    INFO(target);
    CHECK_FALSE(mapped(head(11, {"a"}, target)));
  }
}
