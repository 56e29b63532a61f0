// hub/net graceful shutdown.
#include <catch2/catch.hpp>

#include "tests/unit/net/running_server.hpp"
#include "tests/unit/net/test_conn.hpp"

using namespace hub::net::test;

TEST_CASE("net shutdown: in-flight requests finish, idle ones close, WebSockets get 1001, then done") {
  auto o = quick_options();
  o.idle_timeout = std::chrono::seconds(30);  // so only shutdown can close the idle one
  RunningServer s(o);
  TestConn idle(s.port()), busy(s.port()), ws(s.port());
  REQUIRE(idle.request("GET / HTTP/1.1\r\nHost: x\r\n\r\n").status == 200);
  REQUIRE(ws.ws_upgrade("/live").status == 101);
  REQUIRE(eventually([&] { return s.service.live.opened() == 1; }));
  REQUIRE(busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::this_thread::sleep_for(100ms);  // /slow is now inside the handler

  const auto t = std::chrono::steady_clock::now();
  s.shutdown(5000ms);

  const auto close = ws.ws_read();
  CHECK(close.close_code() == 1001);
  REQUIRE(ws.ws_send(8, close.payload.substr(0, 2)));
  CHECK(ws.wait_closed(1s));
  ws.close();
  CHECK(idle.wait_closed(1s));

  const auto r = busy.read_reply();
  CHECK(r.status == 200);
  CHECK(r.body == "slept");
  CHECK(r.header("connection") == "close");
  CHECK(busy.wait_closed(1s));

  REQUIRE(eventually([&] { return s.done == 1; }));
  CHECK(std::chrono::steady_clock::now() - t < 2s);  // well before the deadline
  CHECK(s.done_on_io_thread);
  CHECK(s.service.live.closed() == 1);
  CHECK(s.service.closed == s.service.opened);
  CHECK_FALSE(TestConn(s.port()).connected());  // no longer accepting
  std::this_thread::sleep_for(100ms);
  CHECK(s.done == 1);
}

TEST_CASE("net shutdown: the deadline cuts off a handler that does not finish") {
  RunningServer s;
  TestConn hung(s.port());
  REQUIRE(hung.send("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::this_thread::sleep_for(100ms);
  const auto t = std::chrono::steady_clock::now();
  s.shutdown(300ms);
  REQUIRE(eventually([&] { return s.done == 1; }));
  const auto took = std::chrono::steady_clock::now() - t;
  CHECK(took >= 290ms);
  CHECK(took < 1s);
  CHECK(hung.wait_closed(1s));
  CHECK(hung.read_reply().status == 0);
}

TEST_CASE("net shutdown: with nothing connected, done comes at once") {
  RunningServer s;
  s.shutdown(5000ms);
  CHECK(eventually([&] { return s.done == 1; }, 500ms));
  CHECK_FALSE(TestConn(s.port()).connected());
}
