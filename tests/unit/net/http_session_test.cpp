// hub/net HTTP/1.1 sessions over real loopback sockets.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/unit/net/running_server.hpp"
#include "tests/unit/net/test_conn.hpp"

using namespace hub::net::test;
using nlohmann::json;

namespace {

std::string get(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "\r\n";
}

std::string post(const std::string& target, const std::string& body, const std::string& extra = "") {
  return "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n" + extra + "\r\n" + body;
}

// The exact JSON error shape of DESIGN.md, with its content type.
void require_json_error(const HttpReply& r, int status, const std::string& code) {
  REQUIRE(r.status == status);
  CHECK(r.header("content-type") == "application/json; charset=utf-8");
  const auto body = json::parse(r.body);
  REQUIRE(body.size() == 1);
  REQUIRE(body["error"].size() == 2);
  CHECK(body["error"]["code"] == code);
  CHECK(body["error"]["message"].is_string());
}

// Each raw request, on its own connection, gets a 400 bad_request and a close; none reaches the service.
void require_each_refused(RunningServer& s, const std::vector<std::string>& cases) {
  for (const auto& raw : cases) {
    INFO(raw);
    TestConn c(s.port());
    require_json_error(c.request(raw), 400, "bad_request");
    CHECK(c.wait_closed());
  }
  CHECK(s.service.handled == 0);
}

}  // namespace

TEST_CASE("net http: a GET reaches the service with decoded path, raw query, headers and peer address") {
  RunningServer s;
  TestConn c(s.port());
  REQUIRE(c.connected());
  const auto r = c.request(get("/echo/a%20b?q=%41&x=1", "X-Thing: value\r\n"));
  REQUIRE(r.status == 200);
  CHECK(r.header("x-test") == "yes");
  CHECK(r.header("content-length") == std::to_string(r.body.size()));
  CHECK(r.header("connection").empty());  // keep-alive is HTTP/1.1's default
  const auto echo = json::parse(r.body);
  CHECK(echo["method"] == "GET");
  CHECK(echo["target"] == "/echo/a%20b?q=%41&x=1");
  CHECK(echo["path"] == "/echo/a b");
  CHECK(echo["query"] == "q=%41&x=1");
  CHECK(echo["remote_ip"] == "127.0.0.1");
  CHECK(echo["tls"] == false);
  CHECK(echo["keep_alive"] == true);
  CHECK(echo["headers"]["X-Thing"] == "value");
}

TEST_CASE("net http: pipelined requests are answered in order on one connection") {
  RunningServer s;
  TestConn c(s.port());
  REQUIRE(c.send(get("/one") + post("/two", "2") + get("/slow") + get("/four")));
  for (std::string expected : {"/one", "/two", "", "/four"}) {
    const auto r = c.read_reply();
    REQUIRE(r.status == 200);
    if (expected.empty())
      CHECK(r.body == "slept");  // the slow one does not let /four overtake it
    else
      CHECK(json::parse(r.body)["path"] == expected);
  }
  CHECK(s.service.opened == 1);
}

TEST_CASE("net http: HEAD gets GET's Content-Length and no body") {
  RunningServer s;
  TestConn c(s.port());
  // A body after the HEAD reply would be read as the start of the next reply.
  REQUIRE(c.send("HEAD /fixed HTTP/1.1\r\nHost: localhost\r\n\r\n" + get("/after")));
  const auto head = c.read_reply(true);
  REQUIRE(head.status == 200);
  CHECK(head.header("content-length") == "10");  // "fixed body"
  const auto after = c.read_reply();
  REQUIRE(after.status == 200);
  CHECK(json::parse(after.body)["path"] == "/after");
}

TEST_CASE("net http: Connection: close, HTTP/1.0 and Response::close end the connection after the reply") {
  RunningServer s;
  SECTION("Connection: close") {
    TestConn c(s.port());
    const auto r = c.request(get("/x", "Connection: close\r\n"));
    REQUIRE(r.status == 200);
    CHECK(r.header("connection") == "close");
    CHECK(c.wait_closed());
  }
  SECTION("HTTP/1.0 without keep-alive") {
    TestConn c(s.port());
    const auto r = c.request("GET /x HTTP/1.0\r\n\r\n");
    REQUIRE(r.status == 200);
    CHECK(json::parse(r.body)["keep_alive"] == false);
    CHECK(c.wait_closed());
  }
  SECTION("the service asks to close") {
    TestConn c(s.port());
    const auto r = c.request(get("/close-me"));
    REQUIRE(r.status == 200);
    CHECK(r.header("connection") == "close");
    CHECK(c.wait_closed());
  }
}

TEST_CASE("net http: request bodies arrive whole, with Content-Length or chunked") {
  RunningServer s;
  TestConn c(s.port());
  auto r = c.request(post("/echo", "hello body"));
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body)["body"] == "hello body");
  r = c.request("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body)["body"] == "hello world");
}

TEST_CASE("net http: a body over the route's limit gets 413 payload_too_large and the connection closes") {
  RunningServer s;
  SECTION("declared by Content-Length (refused before reading it)") {
    TestConn c(s.port());
    require_json_error(c.request(post("/small", std::string(17, 'x'))), 413, "payload_too_large");
    CHECK(c.wait_closed());
    CHECK(s.service.handled == 0);
  }
  SECTION("chunked, over the limit only once read") {
    TestConn c(s.port());
    require_json_error(c.request("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 "a\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n"),
                       413, "payload_too_large");
    CHECK(c.wait_closed());
    CHECK(s.service.handled == 0);
  }
  SECTION("exactly the limit is fine") {
    TestConn c(s.port());
    CHECK(c.request(post("/small", std::string(16, 'x'))).status == 200);
  }
}

TEST_CASE("net http: Expect: 100-continue gets 100 Continue only when the body is acceptable") {
  RunningServer s;
  TestConn c(s.port());
  REQUIRE(c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  const auto interim = c.read_reply();
  REQUIRE(interim.status == 100);
  REQUIRE(c.send("hello"));
  const auto r = c.read_reply();
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body)["body"] == "hello");

  REQUIRE(c.send("POST /small HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\nExpect: 100-continue\r\n\r\n"));
  require_json_error(c.read_reply(), 413, "payload_too_large");
}

TEST_CASE("net http: a header over header_limit gets 431 with code payload_too_large") {
  RunningServer s;
  TestConn c(s.port());
  require_json_error(c.request(get("/x", "X-Big: " + std::string(9000, 'a') + "\r\n")), 431, "payload_too_large");
  CHECK(c.wait_closed());
}

TEST_CASE("net http: Transfer-Encoding other than exactly chunked, or next to Content-Length, is a 400") {
  RunningServer s;
  const std::vector<std::string> cases = {
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc",
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
  };
  require_each_refused(s, cases);
}

TEST_CASE("net http: malformed requests get a 400 JSON error, then the connection closes") {
  RunningServer s;
  const std::vector<std::string> cases = {
      "HELLO\r\n\r\n",
      "GET /a%zz HTTP/1.1\r\nHost: x\r\n\r\n",       // bad escape in the path
      "GET /a%00 HTTP/1.1\r\nHost: x\r\n\r\n",       // NUL
      "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n",   // not an absolute path
      "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
      "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
  };
  require_each_refused(s, cases);
}

TEST_CASE("net http: an exception escaping the service becomes a 500 JSON error") {
  RunningServer s;
  TestConn c(s.port());
  require_json_error(c.request(get("/throw")), 500, "internal");
  CHECK(c.request(get("/still-serving")).status == 200);
}

TEST_CASE("net http: response fields that would break the framing or Beast are dropped") {
  RunningServer s;
  TestConn c(s.port());
  const auto r = c.request(get("/unsendable-headers"));
  REQUIRE(r.status == 200);
  CHECK(r.header("x-fine") == "ok");
  CHECK(r.header("x-huge").empty());
  CHECK(r.header("x-injected").empty());
  CHECK(r.header("set-cookie").empty());
  CHECK(c.request(get("/next")).status == 200);
}

TEST_CASE("net http: the service hears of every connection opening and closing") {
  RunningServer s;
  {
    TestConn a(s.port()), b(s.port());
    REQUIRE(a.request(get("/")).status == 200);
    REQUIRE(b.request(get("/")).status == 200);
    CHECK(s.service.opened == 2);
    CHECK(s.service.closed == 0);
  }
  CHECK(eventually([&] { return s.service.closed == 2; }));
}
