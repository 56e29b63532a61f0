// hub/net's caps on one client: connections per address, live WebSockets per user, and the
// global budget for queued outbound bytes, over real loopback sockets.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "hub/net/key_counter.hpp"
#include "hub/net/outbound_budget.hpp"
#include "hub/net/outbound_queue.hpp"
#include "tests/unit/net/running_server.hpp"
#include "tests/unit/net/test_conn.hpp"

using namespace hub::net::test;

namespace {

std::shared_ptr<const std::string> text(std::size_t n) { return std::make_shared<const std::string>(n, 't'); }

}  // namespace

TEST_CASE("net caps: beyond max_connections_per_ip an address gets 503, other addresses get in") {
  auto o = quick_options();
  o.max_connections_per_ip = 2;
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
  CHECK(refused.wait_closed());

  TestConn other(s.port(), "127.0.0.2");  // loopback too, but another client address
  REQUIRE(other.connected());
  CHECK(other.request(kPlainGet).status == 200);

  a.reset();  // frees a place for 127.0.0.1
  REQUIRE(eventually([&] { return s.service.closed == 1; }));
  TestConn next(s.port());
  CHECK(next.request(kPlainGet).status == 200);
}

TEST_CASE("net caps: beyond max_live_per_user a user's next upgrade gets 429, other users get in") {
  auto o = quick_options();
  o.max_live_per_user = 2;
  o.idle_timeout = std::chrono::seconds(10);
  RunningServer s(o);
  auto first = std::make_unique<TestConn>(s.port());
  TestConn second(s.port()), third(s.port()), other_user(s.port()), anonymous(s.port());
  REQUIRE(first->ws_upgrade("/live", "X-User: 7\r\n").status == 101);
  REQUIRE(second.ws_upgrade("/live", "X-User: 7\r\n").status == 101);
  const auto r = third.ws_upgrade("/live", "X-User: 7\r\n");
  CHECK(r.status == 429);
  CHECK(nlohmann::json::parse(r.body)["error"]["code"] == "rate_limited");
  CHECK(other_user.ws_upgrade("/live", "X-User: 8\r\n").status == 101);
  CHECK(anonymous.ws_upgrade("/live").status == 101);  // no user: only the address cap applies
  REQUIRE(eventually([&] { return s.service.live.opened() == 4; }));

  first.reset();  // its socket closes: the user has a place again
  REQUIRE(eventually([&] { return s.service.live.closed() == 1; }));
  TestConn again(s.port());
  CHECK(again.ws_upgrade("/live", "X-User: 7\r\n").status == 101);
}

TEST_CASE("net caps: an HTTP response that would pass max_outbound_bytes closes the connection") {
  auto o = quick_options();
  o.max_outbound_bytes = 64;  // "/fixed" fits (about 50 bytes with its head), an echo does not
  RunningServer s(o);
  TestConn small(s.port());
  CHECK(small.request("GET /fixed HTTP/1.1\r\nHost: x\r\n\r\n").status == 200);
  TestConn big(s.port());
  REQUIRE(big.send(kPlainGet));
  CHECK(big.wait_closed());
  CHECK(big.read_reply().status == 0);
  TestConn after(s.port());  // the refused write charged nothing; the first one was paid back
  CHECK(after.request("GET /fixed HTTP/1.1\r\nHost: x\r\n\r\n").status == 200);
}

TEST_CASE("net caps: a WebSocket send that would pass max_outbound_bytes is refused with close 1008") {
  auto o = quick_options();
  o.max_outbound_bytes = 4096;
  RunningServer s(o);
  TestConn c(s.port());
  REQUIRE(c.ws_upgrade("/live").status == 101);
  REQUIRE(eventually([&] { return s.service.live.opened() == 1; }));
  auto peer = s.service.live.peers().back();
  CHECK(peer->send(text(1000)));
  CHECK(c.ws_read().opcode == kText);
  CHECK_FALSE(peer->send(text(5000)));  // under the queue's own bound, over the global budget
  const auto f = c.ws_read();
  CHECK(f.close_code() == 1008);
}

TEST_CASE("outbound_budget: charges succeed up to the maximum and are paid back") {
  hub::net::outbound_budget budget(100);
  CHECK(budget.try_charge(60));
  CHECK_FALSE(budget.try_charge(41));  // all or nothing
  CHECK(budget.used() == 60);
  CHECK(budget.try_charge(40));
  budget.release(60);
  CHECK(budget.used() == 40);
  CHECK(budget.try_charge(60));
  CHECK_FALSE(budget.try_charge(1));
}

TEST_CASE("outbound_queue: every queue charges the one global budget, over it a push overflows") {
  using hub::net::outbound_queue;
  using result = outbound_queue::push_result;
  hub::net::outbound_budget budget(100);
  outbound_queue a(10, 1000, &budget), b(10, 1000, &budget);
  CHECK(a.push(text(60)) == result::wake_writer);
  CHECK(budget.used() == 60);
  CHECK(b.push(text(41)) == result::overflow);  // b's own bound allows it; the budget does not
  CHECK(budget.used() == 60);
  CHECK(b.push(text(1)) == result::closed);
  CHECK(a.pop());  // leaves the queue: paid back
  CHECK(budget.used() == 0);
  CHECK(a.push(text(30)) == result::queued);
  CHECK(a.push(text(30)) == result::queued);
  a.close();  // dropped messages are paid back too
  CHECK(budget.used() == 0);
  outbound_queue c(1, 1000, &budget);
  CHECK(c.push(text(50)) == result::wake_writer);
  CHECK(c.push(text(1)) == result::overflow);  // its own bound: what it held is paid back
  CHECK(budget.used() == 0);
}

TEST_CASE("key_counter: each key has max places, a claim holds one until reset or destroyed") {
  auto counter = std::make_shared<hub::net::key_counter>(2);
  auto a = counter->try_claim("10.0.0.1");
  auto b = counter->try_claim("10.0.0.1");
  CHECK(a);
  CHECK(b);
  CHECK_FALSE(counter->try_claim("10.0.0.1"));
  CHECK(counter->try_claim("10.0.0.2"));  // another key; its claim is dropped at once
  CHECK(counter->count("10.0.0.2") == 0);
  auto moved = std::move(a);
  CHECK_FALSE(a);
  CHECK(counter->count("10.0.0.1") == 2);
  moved.reset();
  CHECK(counter->count("10.0.0.1") == 1);
  CHECK(counter->try_claim("10.0.0.1"));
}

TEST_CASE("key_counter: a cap of 0 grants every claim") {
  auto counter = std::make_shared<hub::net::key_counter>(0);
  std::vector<hub::net::key_counter::claim> held;
  for (int i = 0; i < 100; ++i) {
    held.push_back(counter->try_claim("k"));
    CHECK(held.back());
  }
}
