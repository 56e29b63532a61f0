// hub/net WebSocket sessions, with a client that frames by RFC 6455 itself.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/unit/net/running_server.hpp"
#include "tests/unit/net/test_conn.hpp"

using namespace hub::net::test;

namespace {

// Upgrades `c` at /live and waits until the handler has it open; returns its peer.
std::shared_ptr<hub::http::WebSocketPeer> open_live(RunningServer& s, TestConn& c) {
  const auto before = s.service.live.opened();
  const auto r = c.ws_upgrade("/live");
  REQUIRE(r.status == 101);
  REQUIRE(eventually([&] { return s.service.live.opened() == before + 1; }));
  return s.service.live.peers().back();
}

std::shared_ptr<const std::string> text(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

}  // namespace

TEST_CASE("net ws: text messages reach on_message and peer->send reaches the client") {
  RunningServer s;
  TestConn c(s.port());
  auto peer = open_live(s, c);
  CHECK(s.service.opened == 1);

  REQUIRE(c.ws_send(kText, "hello"));
  REQUIRE(c.ws_send(kText, "echo:back at you"));
  auto m = c.ws_read();
  CHECK(m.opcode == kText);
  CHECK(m.payload == "back at you");
  CHECK(s.service.live.messages() == std::vector<std::string>{"hello", "echo:back at you"});

  CHECK(peer->send(text("pushed from another thread")));
  m = c.ws_read();
  CHECK(m.payload == "pushed from another thread");

  REQUIRE(c.ws_send(kClose, std::string("\x03\xe8", 2)));  // 1000
  CHECK(c.ws_read().close_code() == 1000);
  CHECK(c.wait_closed());  // the server closes TCP first
  c.close();
  CHECK(eventually([&] { return s.service.live.closed() == 1 && s.service.closed == 1; }));
}

TEST_CASE("net ws: one broadcast string reaches every peer") {
  RunningServer s;
  TestConn a(s.port()), b(s.port());
  auto pa = open_live(s, a);
  auto pb = open_live(s, b);
  CHECK(pa->id() != pb->id());
  const auto shared = text(std::string(100, 'x'));
  CHECK(pa->send(shared));
  CHECK(pb->send(shared));
  CHECK(a.ws_read().payload == *shared);
  CHECK(b.ws_read().payload == *shared);
}

TEST_CASE("net ws: a binary frame is answered with close 1003") {
  RunningServer s;
  TestConn c(s.port());
  open_live(s, c);
  REQUIRE(c.ws_send(kBinary, "\x01\x02"));
  const auto f = c.ws_read();
  CHECK(f.opcode == kClose);
  CHECK(f.close_code() == 1003);
  CHECK(s.service.live.messages().empty());
}

TEST_CASE("net ws: a handler that throws gets its peer closed with 1011, and the server lives on") {
  RunningServer s;
  TestConn c(s.port());
  open_live(s, c);
  REQUIRE(c.ws_send(kText, "throw"));
  CHECK(c.ws_read().close_code() == 1011);
  TestConn next(s.port());
  open_live(s, next);
}

TEST_CASE("net ws: a message over ws_read_message_max closes with 1009") {
  auto o = quick_options();
  o.ws_read_message_max = 1024;
  RunningServer s(o);
  TestConn c(s.port());
  open_live(s, c);
  REQUIRE(c.ws_send(kText, std::string(1024, 'a')));  // exactly the limit is fine
  REQUIRE(eventually([&] { return s.service.live.messages().size() == 1; }));
  REQUIRE(c.ws_send(kText, std::string(1025, 'a')));
  const auto f = c.ws_read();
  CHECK(f.opcode == kClose);
  CHECK(f.close_code() == 1009);
  CHECK(s.service.live.messages().size() == 1);
}

TEST_CASE("net ws: a peer that does not read overflows its queue: send() is false and it gets 1008") {
  auto o = quick_options();
  o.ws_queue_max_bytes = 1 << 20;
  o.read_timeout = std::chrono::seconds(5);  // the close handshake waits for the drain below
  RunningServer s(o);
  TestConn c(s.port());
  auto peer = open_live(s, c);
  const auto chunk = text(std::string(64 * 1024, 'z'));
  int accepted = 0;
  while (accepted < 5000 && peer->send(chunk)) ++accepted;
  REQUIRE(accepted < 5000);             // the kernel's buffers filled, then the queue did
  CHECK_FALSE(peer->send(text("more")));  // stays refused
  hub::net::test::WsFrame f;
  int delivered = 0;
  do {
    f = c.ws_read(5s);
    if (f.opcode == kText) ++delivered;
  } while (f.opcode == kText);
  REQUIRE(f.opcode == kClose);
  CHECK(f.close_code() == 1008);
  CHECK(f.close_reason() == "too slow: resync");
  CHECK(delivered <= accepted);
  REQUIRE(c.ws_send(kClose, f.payload.substr(0, 2)));
  CHECK(c.wait_closed());
  c.close();
  CHECK(eventually([&] { return s.service.live.closed() == 1; }));
}

TEST_CASE("net ws: peer->close sends the given code and reason") {
  RunningServer s;
  TestConn c(s.port());
  auto peer = open_live(s, c);
  peer->close(4001, "bye now");
  const auto f = c.ws_read();
  CHECK(f.close_code() == 4001);
  CHECK(f.close_reason() == "bye now");
  CHECK_FALSE(peer->send(text("after close")));
}

TEST_CASE("net ws: admit() can refuse an upgrade with its own response") {
  RunningServer s;
  TestConn c(s.port());
  const auto r = c.ws_upgrade("/live", "X-Refuse: 1\r\n");
  CHECK(r.status == 401);
  CHECK(nlohmann::json::parse(r.body)["error"]["code"] == "unauthenticated");
  CHECK(s.service.live.opened() == 0);
}

TEST_CASE("net ws: an upgrade to a path without a handler gets 404 not_found") {
  RunningServer s;
  TestConn c(s.port());
  const auto r = c.ws_upgrade("/nowhere");
  CHECK(r.status == 404);
  CHECK(r.header("content-type") == "application/json; charset=utf-8");
  CHECK(nlohmann::json::parse(r.body)["error"]["code"] == "not_found");
}

TEST_CASE("net ws: idle peers are pinged, and one that never answers is dropped") {
  auto o = quick_options();
  o.ws_ping_interval = std::chrono::seconds(1);
  RunningServer s(o);
  TestConn c(s.port());
  open_live(s, c);
  const auto f = c.ws_read(3s, true);
  CHECK(f.opcode == kPing);
  // No pong, nothing else: dropped about one more interval later.
  CHECK(c.wait_closed(3s));
  CHECK(eventually([&] { return s.service.live.closed() == 1; }));
}
