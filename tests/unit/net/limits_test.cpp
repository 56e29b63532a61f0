// hub/net timeouts and the connection cap, over real loopback sockets. Timeouts are driven by
// moving hub/net's deadline clock forward: no sleeping through them, no wall-clock bounds.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "hub/net/deadline_clock.hpp"
#include "tests/unit/net/running_server.hpp"
#include "tests/unit/net/test_conn.hpp"

using namespace hub::net::test;
using hub::net::deadline_clock;

namespace {

// Long enough for the io thread to look at a moved clock (its timers re-read it every 1 ms),
// so "still open" means the deadline was checked and had not passed.
constexpr auto kGrace = 50ms;

}  // namespace

TEST_CASE("net limits: an idle keep-alive connection is closed after idle_timeout") {
  RunningServer s;  // idle 1 s
  TestConn c(s.port());
  REQUIRE(c.request(kPlainGet).status == 200);
  deadline_clock::advance(900ms);
  CHECK_FALSE(c.wait_closed(kGrace));
  deadline_clock::advance(200ms);
  CHECK(c.wait_closed(3s));
}

TEST_CASE("net limits: before a request starts, idle_timeout applies, not read_timeout") {
  auto o = quick_options();
  o.read_timeout = std::chrono::seconds(1);
  o.idle_timeout = std::chrono::seconds(3);
  RunningServer s(o);
  TestConn c(s.port());
  deadline_clock::advance(1500ms);  // past read_timeout, silent
  CHECK_FALSE(c.wait_closed(kGrace));
  CHECK(c.request(kPlainGet).status == 200);
  TestConn silent(s.port());
  REQUIRE(eventually([&] { return s.service.opened == 2; }));  // its idle deadline is set
  deadline_clock::advance(3100ms);  // past idle_timeout, silent
  CHECK(silent.wait_closed(5s));
}

TEST_CASE("net limits: a trickled request is cut off at read_timeout overall, not per byte") {
  auto o = quick_options();
  o.read_timeout = std::chrono::seconds(1);
  o.idle_timeout = std::chrono::seconds(10);
  RunningServer s(o);
  TestConn c(s.port());
  const std::string slow = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(200, 'a');
  // The deadline clock runs with real time too, so the cut-off is measured on it rather than
  // counted in bytes: a busy machine adds real time between the bytes, and reads late.
  const auto first_byte = deadline_clock::now();
  std::size_t sent = 0;
  bool closed = false;
  // One byte every 50 ms of the deadline clock would keep a per-read timer alive for 10 s.
  while (sent < slow.size() && !closed) {
    if (!c.send(slow.substr(sent, 1))) break;
    ++sent;
    // The deadline starts when the server reads the first byte. A request on another connection
    // makes a round trip through the io thread, which by then has read that byte: otherwise the
    // clock could run far ahead of a late read.
    if (sent == 1) REQUIRE(TestConn(s.port()).request(kPlainGet).status == 200);
    deadline_clock::advance(50ms);
    // Past the deadline, the server gets real time to notice (a busy machine is slow to).
    const bool due = deadline_clock::now() - first_byte > o.read_timeout;
    closed = c.wait_closed(due ? std::chrono::milliseconds(3000) : std::chrono::milliseconds(5));
  }
  const auto lasted = deadline_clock::now() - first_byte;
  CHECK(closed);
  CHECK(sent < slow.size());
  CHECK(lasted >= o.read_timeout);  // not cut off before the deadline, which starts at the first byte
  CHECK(lasted < o.read_timeout + 1s);  // but about then: per byte, it would have lasted 10 s
}

TEST_CASE("net limits: a slow body is bound by the same deadline as its header") {
  auto o = quick_options();
  o.read_timeout = std::chrono::seconds(1);
  RunningServer s(o);
  TestConn c(s.port());
  REQUIRE(c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc"));
  REQUIRE(eventually([&] { return s.service.opened == 1; }));
  deadline_clock::advance(900ms);
  CHECK_FALSE(c.wait_closed(kGrace));
  deadline_clock::advance(200ms);
  CHECK(c.wait_closed(3s));
  CHECK(s.service.handled == 0);
}

TEST_CASE("net limits: beyond max_connections a connection gets 503 unavailable and is closed") {
  auto o = quick_options();
  o.max_connections = 2;
  o.idle_timeout = std::chrono::seconds(10);
  RunningServer s(o);
  auto a = std::make_unique<TestConn>(s.port());
  TestConn b(s.port());
  REQUIRE(a->request(kPlainGet).status == 200);
  REQUIRE(b.request(kPlainGet).status == 200);

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
  CHECK(next.request(kPlainGet).status == 200);
}
