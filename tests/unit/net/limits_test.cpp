// hub/net timeouts and the connection cap, over real loopback sockets.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <thread>

#include "tests/unit/net/running_server.hpp"
#include "tests/unit/net/test_conn.hpp"

using namespace hub::net::test;
using clock_type = std::chrono::steady_clock;

namespace {

const std::string kGet = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

}  // namespace

TEST_CASE("net limits: an idle keep-alive connection is closed after idle_timeout") {
  RunningServer s;  // idle 1 s
  TestConn c(s.port());
  REQUIRE(c.request(kGet).status == 200);
  const auto t = clock_type::now();
  REQUIRE(c.wait_closed(3s));
  CHECK(seconds_since(t) > 0.8);
  CHECK(seconds_since(t) < 2.0);
}

TEST_CASE("net limits: before a request starts, idle_timeout applies, not read_timeout") {
  auto o = quick_options();
  o.read_timeout = std::chrono::seconds(1);
  o.idle_timeout = std::chrono::seconds(3);
  RunningServer s(o);
  TestConn c(s.port());
  std::this_thread::sleep_for(1500ms);  // past read_timeout, silent
  CHECK(c.request(kGet).status == 200);
}

TEST_CASE("net limits: a trickled request is cut off at read_timeout overall, not per byte") {
  auto o = quick_options();
  o.read_timeout = std::chrono::seconds(1);
  o.idle_timeout = std::chrono::seconds(10);
  RunningServer s(o);
  TestConn c(s.port());
  const std::string slow = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(200, 'a');
  const auto t = clock_type::now();
  std::size_t sent = 0;
  // One byte every 50 ms would keep a per-read timer alive for 10 s.
  while (sent < slow.size() && seconds_since(t) < 4.0) {
    if (!c.send(slow.substr(sent, 1))) break;
    ++sent;
    if (!c.read_some(50ms).empty() || c.peer_closed()) break;
  }
  CHECK((c.peer_closed() || c.wait_closed(100ms)));
  CHECK(seconds_since(t) < 1.6);
  CHECK(sent < slow.size());
}

TEST_CASE("net limits: a slow body is bound by the same deadline as its header") {
  auto o = quick_options();
  o.read_timeout = std::chrono::seconds(1);
  RunningServer s(o);
  TestConn c(s.port());
  REQUIRE(c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"));
  const auto t = clock_type::now();
  REQUIRE(c.wait_closed(3s));
  CHECK(seconds_since(t) < 1.5);
  CHECK(s.service.handled == 0);
}

TEST_CASE("net limits: beyond max_connections a connection gets 503 unavailable and is closed") {
  auto o = quick_options();
  o.max_connections = 2;
  o.idle_timeout = std::chrono::seconds(10);
  RunningServer s(o);
  auto a = std::make_unique<TestConn>(s.port());
  TestConn b(s.port());
  REQUIRE(a->request(kGet).status == 200);
  REQUIRE(b.request(kGet).status == 200);

  TestConn refused(s.port());
  const auto r = refused.read_reply();
  REQUIRE(r.status == 503);
  CHECK(nlohmann::json::parse(r.body)["error"]["code"] == "unavailable");
  CHECK(r.header("connection") == "close");
  CHECK(refused.wait_closed());
  CHECK(s.service.opened == 2);  // refused connections are not counted as opened

  a.reset();  // frees a place
  REQUIRE(eventually([&] { return s.service.closed == 1; }));
  TestConn next(s.port());
  CHECK(next.request(kGet).status == 200);
}
