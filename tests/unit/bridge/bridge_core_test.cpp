// The bridge core: the durable outbox, the id map and loop prevention, over a real hub database.
#include <catch2/catch.hpp>

#include <tuple>
#include <vector>

#include "bridge/hub_link.hpp"
#include "bridge/id_map.hpp"
#include "bridge/loop_guard.hpp"
#include "bridge/mappings.hpp"
#include "bridge/outbox.hpp"
#include "hub/discussion/bridge_seam.hpp"
#include "hub/discussion/discussion.hpp"
#include "tests/unit/app/hub_fixture.hpp"

using namespace hub;
using bridge::FailureOutcome;
using discussion::Network;

namespace {

struct BridgeFixture : testing::HubFixture {
  template <class Job>
  auto write(Job job) {
    return hub->db().write_now(job);
  }
  bridge::OutboxEntry entry(std::int64_t seq) { return {Network::matrix, 1, seq, R"({"msgtype":"m.text"})"}; }
};

}  // namespace

TEST_CASE("bridge outbox: an event is queued once under its deterministic id, and sent once") {
  BridgeFixture f;
  CHECK(bridge::outbox_id(Network::matrix, 42) == "matrix:42");
  CHECK(*f.write([&](store::Connection& c) { return bridge::enqueue(c, f.entry(42), 100); }));
  CHECK_FALSE(*f.write([&](store::Connection& c) { return bridge::enqueue(c, f.entry(42), 105); }));  // a replay
  CHECK(*f.write([&](store::Connection& c) { return bridge::enqueue(c, f.entry(41), 100); }));
  auto pending = f.write([](store::Connection& c) { return bridge::due(c, Network::matrix, 100, 10); });
  REQUIRE(pending);
  REQUIRE(pending->size() == 2);
  CHECK((*pending)[0].id == "matrix:41");  // oldest hub event first
  CHECK((*pending)[1].request == R"({"msgtype":"m.text"})");
  CHECK(f.write([](store::Connection& c) { return bridge::due(c, Network::slack, 100, 10); })->empty());
  REQUIRE(f.write([](store::Connection& c) { return bridge::mark_sent(c, "matrix:41", "$remote41"); }));
  auto left = f.write([](store::Connection& c) { return bridge::due(c, Network::matrix, 100, 10); });
  REQUIRE(left->size() == 1);
  CHECK(left->front().id == "matrix:42");
  // A row's attempts while it is pending; none once sent (a list of due rows read before can be stale).
  CHECK(**f.write([](store::Connection& c) { return bridge::pending_attempts(c, "matrix:42"); }) == 0);
  CHECK_FALSE(*f.write([](store::Connection& c) { return bridge::pending_attempts(c, "matrix:41"); }));
  CHECK_FALSE(*f.write([](store::Connection& c) { return bridge::pending_attempts(c, "matrix:40"); }));
  // Sent rows older than the cut-off are pruned, per network; waiting rows never are.
  REQUIRE(f.write([](store::Connection& c) { return bridge::prune_sent(c, Network::matrix, 100); }));
  CHECK(f.count("bridge_outbox") == 2);  // created at 100: not older than 100
  REQUIRE(f.write([](store::Connection& c) { return bridge::prune_sent(c, Network::slack, 101); }));
  CHECK(f.count("bridge_outbox") == 2);
  REQUIRE(f.write([](store::Connection& c) { return bridge::prune_sent(c, Network::matrix, 101); }));
  CHECK(f.count("bridge_outbox") == 1);
  CHECK(f.write([](store::Connection& c) { return bridge::due(c, Network::matrix, 100, 10); })->size() == 1);
  // A hub-bound entry is a programming error, refused.
  bridge::OutboxEntry to_hub{Network::hub, 1, 7, "{}"};
  CHECK_FALSE(f.write([&](store::Connection& c) { return bridge::enqueue(c, to_hub, 100); }));
}

TEST_CASE("bridge outbox: a send's txn is its outbox id and its event's nonce, or the id alone for an older event") {
  discussion::Event e;
  e.seq = 42;
  e.nonce = "5eed5eed5eed5eed";
  CHECK(bridge::txn_of(Network::matrix, e) == "matrix:42.5eed5eed5eed5eed");
  CHECK(bridge::txn_of(Network::slack, e) == "slack:42.5eed5eed5eed5eed");
  e.nonce.clear();  // written before migration 16: sent under its id, as it was then
  CHECK(bridge::txn_of(Network::matrix, e) == "matrix:42");
}

TEST_CASE("bridge outbox: rows parked for a reason that went away are pending again, the others stay parked") {
  BridgeFixture f;
  const bridge::RetryPolicy at_once{1, 1, 1};
  const std::string out = "the bot was removed from the room by @bob:hs.test: invite it back: its parked messages then go out";
  for (auto [seq, error] : {std::pair{5, out}, std::pair{6, std::string("M_TOO_LARGE")}, std::pair{7, out}}) {
    REQUIRE(f.write([&, seq = seq](store::Connection& c) { return bridge::enqueue(c, f.entry(seq), 1000); }));
    REQUIRE(f.write([&, seq = seq, error = error](store::Connection& c) {
      return bridge::mark_failed(c, "matrix:" + std::to_string(seq), error, 1000, std::nullopt, at_once, 0);
    }));
  }
  bridge::OutboxEntry elsewhere{Network::matrix, 2, 8, "{}"};  // another channel, parked for the same reason
  REQUIRE(f.write([&](store::Connection& c) { return bridge::enqueue(c, elsewhere, 1000); }));
  REQUIRE(f.write([&](store::Connection& c) { return bridge::mark_failed(c, "matrix:8", out, 1000, std::nullopt, at_once, 0); }));
  CHECK(f.write([](store::Connection& c) { return bridge::parked(c, Network::matrix); })->size() == 4);

  CHECK(*f.write([&](store::Connection& c) { return bridge::retry_parked_with(c, Network::slack, 1, out); }) == 0);
  CHECK(*f.write([&](store::Connection& c) { return bridge::retry_parked_with(c, Network::matrix, 1, out); }) == 2);
  auto due = f.write([](store::Connection& c) { return bridge::due(c, Network::matrix, 1000, 10); });
  REQUIRE(due->size() == 2);  // due at once, from their first attempt again
  CHECK(due->at(0).seq == 5);
  CHECK(due->at(0).attempts == 0);
  CHECK(due->at(1).seq == 7);
  auto still = f.write([](store::Connection& c) { return bridge::parked(c, Network::matrix); });
  REQUIRE(still->size() == 2);
  CHECK(still->at(0).last_error == "M_TOO_LARGE");
  CHECK(still->at(1).seq == 8);

  // A row that had a real try before the one that parked it (a 500, its answer maybe lost) keeps
  // one attempt, so the relay still counts it as maybe sent and the connector looks first.
  REQUIRE(f.write([&](store::Connection& c) { return bridge::enqueue(c, f.entry(9), 1000); }));
  REQUIRE(f.write([&](store::Connection& c) {
    return bridge::mark_failed(c, "matrix:9", "HTTP 500", 1000, std::nullopt, bridge::RetryPolicy{8, 1, 1}, 0);
  }));
  REQUIRE(f.write([&](store::Connection& c) { return bridge::mark_failed(c, "matrix:9", out, 1001, std::nullopt, at_once, 0); }));
  CHECK(*f.write([&](store::Connection& c) { return bridge::retry_parked_with(c, Network::matrix, 1, out); }) == 1);
  due = f.write([](store::Connection& c) { return bridge::due(c, Network::matrix, 1001, 10); });
  REQUIRE(due->size() == 3);
  CHECK(due->at(2).seq == 9);
  CHECK(due->at(2).attempts == 1);
}

TEST_CASE("bridge outbox: failures back off with jitter, honour Retry-After, then park with the error") {
  BridgeFixture f;
  const bridge::RetryPolicy policy{4, 2, 60};
  // base 2 s doubling, capped at 60 s; equal jitter keeps it within [delay/2, delay].
  CHECK(bridge::backoff_seconds(1, policy, 0) == 1);
  CHECK(bridge::backoff_seconds(1, policy, 1) == 2);
  CHECK(bridge::backoff_seconds(3, policy, 0) == 4);
  CHECK(bridge::backoff_seconds(3, policy, 4) == 8);
  CHECK(bridge::backoff_seconds(30, policy, 0) == 30);
  CHECK(bridge::backoff_seconds(30, policy, 99) <= 60);
  REQUIRE(f.write([&](store::Connection& c) { return bridge::enqueue(c, f.entry(5), 1000); }));
  auto fail = [&](std::int64_t now, std::optional<std::int64_t> retry_after) {
    auto r = f.write([&](store::Connection& c) {
      return bridge::mark_failed(c, "matrix:5", "HTTP 500 from the homeserver", now, retry_after, policy, 0);
    });
    REQUIRE(r);
    return *r;
  };
  CHECK(fail(1000, std::nullopt) == FailureOutcome::retry_later);  // due at 1001
  CHECK(f.write([](store::Connection& c) { return bridge::due(c, Network::matrix, 1000, 10); })->empty());
  CHECK(f.write([](store::Connection& c) { return bridge::due(c, Network::matrix, 1001, 10); })->size() == 1);
  CHECK(fail(1001, 30) == FailureOutcome::retry_later);  // 429 with retry_after_ms 30,000
  CHECK(f.write([](store::Connection& c) { return bridge::due(c, Network::matrix, 1030, 10); })->empty());
  CHECK(f.write([](store::Connection& c) { return bridge::due(c, Network::matrix, 1031, 10); })->size() == 1);
  CHECK(fail(1031, std::nullopt) == FailureOutcome::retry_later);
  CHECK(fail(1040, std::nullopt) == FailureOutcome::parked);  // the fourth failure
  CHECK(f.write([](store::Connection& c) { return bridge::due(c, Network::matrix, 99999, 10); })->empty());
  auto parked = f.write([](store::Connection& c) { return bridge::parked(c, Network::matrix); });
  REQUIRE(parked->size() == 1);  // kept, with its error, never dropped
  CHECK(parked->front().attempts == 4);
  CHECK(parked->front().last_error == "HTTP 500 from the homeserver");
  REQUIRE(f.write([](store::Connection& c) { return bridge::retry_parked(c, "matrix:5", 2000); }));
  CHECK(f.write([](store::Connection& c) { return bridge::due(c, Network::matrix, 2000, 10); })->size() == 1);
  CHECK(f.write([](store::Connection& c) { return bridge::retry_parked(c, "matrix:5", 2000); }).error().status == 404);
  CHECK(f.write([&](store::Connection& c) {
          return bridge::mark_failed(c, "matrix:nope", "x", 0, std::nullopt, policy, 0);
        }).error().status == 404);
}

TEST_CASE("bridge id map: written with the bridged change in one transaction, and found both ways") {
  BridgeFixture f;
  f.add_user("ada", "admin");
  const auto cookie = f.login("ada");
  auto ch = f.call(http::Method::post, "/api/channels", R"({"name":"bridged"})", cookie).json()["channel"]["id"];
  auto ghost = f.write([](store::Connection& c) {
    return discussion::ghost_user(c, {Network::matrix, "@ana:hs.example", "Ana"}, 1);
  });
  REQUIRE(ghost);
  discussion::BridgeWrite w{Network::matrix, "$ev1", *ghost, {}};
  w.map_row = [](store::Connection& c, const discussion::Change& change) {
    return bridge::map_ids(c, change.message["id"].get<std::int64_t>(), Network::matrix, {"!room:hs.example", "$ev1"});
  };
  auto posted = f.write([&](store::Connection& c) {
    return discussion::bridge_post(c, ch.get<std::int64_t>(), w, {"hi", "<p>hi</p>", std::nullopt, std::nullopt}, 5);
  });
  REQUIRE(posted);
  const auto id = posted->change.message["id"].get<std::int64_t>();
  auto back = f.write([](store::Connection& c) { return bridge::hub_message_for(c, Network::matrix, "$ev1"); });
  CHECK(*back == id);
  auto there = f.write([&](store::Connection& c) { return bridge::remote_for(c, id, Network::matrix); });
  REQUIRE(*there);
  CHECK((*there)->room == "!room:hs.example");
  CHECK_FALSE(*f.write([&](store::Connection& c) { return bridge::remote_for(c, id, Network::slack); }));
  // The same pair again is fine; the remote id for another message is refused.
  CHECK(f.write([&](store::Connection& c) { return bridge::map_ids(c, id, Network::matrix, {"!room:hs.example", "$ev1"}); }));
  CHECK(f.write([&](store::Connection& c) { return bridge::map_ids(c, id + 1, Network::matrix, {"!r", "$ev1"}); })
            .error()
            .status == 409);
}

TEST_CASE("bridge loop guard: nothing goes back where it came from, our own echoes are recognised") {
  discussion::Event e;
  const std::vector<std::tuple<Network, Network, bool>> cases = {
      {Network::hub, Network::matrix, true},     {Network::hub, Network::slack, true},
      {Network::matrix, Network::matrix, false}, {Network::matrix, Network::slack, true},
      {Network::slack, Network::slack, false},   {Network::slack, Network::matrix, true},
      {Network::hub, Network::hub, false}};
  for (auto [from, to, relay] : cases) {
    e.origin.network = from;
    CHECK(bridge::should_relay(e, to) == relay);
  }
  const bridge::OwnIdentities own{"@cohorthub_", "@cohorthub:hs.example"};
  CHECK_FALSE(bridge::echo_reason({"@ana:hs.example", false}, own));
  CHECK(bridge::echo_reason({"@cohorthub_ana:hs.example", false}, own) == "sent by one of our ghosts");
  CHECK(bridge::echo_reason({"@cohorthub:hs.example", false}, own) == "sent by our bot");
  // An echo that overtakes the send's response still carries the provenance key.
  CHECK(bridge::echo_reason({"@relay:other.example", true}, own) == "carries our provenance key");
}

TEST_CASE("bridge links back to the hub: from server.public_origin only, and none without it") {
  using bridge::hub_link;
  const std::string path = bridge::message_path(3, 7);
  CHECK(path == "/channels/3#message-7");
  CHECK(hub_link("https://hub.example.org", path) == "https://hub.example.org/channels/3#message-7");
  CHECK(hub_link("https://hub.example.org//", path) == "https://hub.example.org/channels/3#message-7");
  CHECK(hub_link("https://example.org/cohort", path) == "https://example.org/cohort/channels/3#message-7");
  // Unset: no link at all (never the listen address, wrong behind a proxy).
  CHECK_FALSE(hub_link("", path));
  CHECK_FALSE(hub_link("/", path));
}

TEST_CASE("bridge mappings: one room per channel per network, and back, traffic and status recorded") {
  BridgeFixture f;
  const std::int64_t admin = f.add_user("ada", "admin");
  const std::string cookie = f.login("ada");
  const std::int64_t a = f.call(http::Method::post, "/api/channels", R"({"name":"alpha"})", cookie)
                             .json()["channel"]["id"].get<std::int64_t>();
  const std::int64_t b = f.call(http::Method::post, "/api/channels", R"({"name":"beta"})", cookie)
                             .json()["channel"]["id"].get<std::int64_t>();
  auto add = [&](std::int64_t channel, Network n, const std::string& room) {
    return f.write([&](store::Connection& c) { return bridge::add_mapping(c, channel, n, room, admin, 100); });
  };
  auto m = add(a, Network::matrix, "!room:hs.example");
  REQUIRE(m);
  CHECK(m->channel_id == a);
  CHECK(m->remote_room == "!room:hs.example");
  CHECK_FALSE(m->last_in_at);
  CHECK(add(a, Network::matrix, "!other:hs.example").error().status == 409);  // the channel has its room
  CHECK(add(b, Network::matrix, "!room:hs.example").error().status == 409);   // the room has its channel
  CHECK(add(b, Network::hub, "x").error().status == 400);
  CHECK(add(b, Network::matrix, "").error().status == 400);
  REQUIRE(add(a, Network::slack, "C0123"));  // the same channel on another network is fine
  auto found = f.write([](store::Connection& c) { return bridge::mapping_for_room(c, Network::matrix, "!room:hs.example"); });
  REQUIRE(found);
  REQUIRE(*found);
  CHECK((*found)->channel_id == a);
  CHECK_FALSE(*f.write([](store::Connection& c) { return bridge::mapping_for_room(c, Network::slack, "!room:hs.example"); }));
  CHECK(f.write([](store::Connection& c) { return bridge::list_mappings(c, std::nullopt); })->size() == 2);
  CHECK(f.write([](store::Connection& c) { return bridge::list_mappings(c, Network::slack); })->size() == 1);

  const std::int64_t id = m->id;
  REQUIRE(f.write([&](store::Connection& c) { return bridge::set_status(c, id, "M_FORBIDDEN: not in room"); }));
  CHECK((*f.write([&](store::Connection& c) { return bridge::find_mapping(c, id); }))->status == "M_FORBIDDEN: not in room");
  REQUIRE(f.write([&](store::Connection& c) { return bridge::note_traffic(c, id, bridge::Direction::out, 130); }));
  auto after = *f.write([&](store::Connection& c) { return bridge::find_mapping(c, id); });
  CHECK(after->status.empty());  // a delivery clears the error
  CHECK(after->last_out_at == 130);
  CHECK_FALSE(after->last_in_at);

  REQUIRE(f.write([&](store::Connection& c) { return bridge::remove_mapping(c, id); }));
  CHECK(f.write([&](store::Connection& c) { return bridge::remove_mapping(c, id); }).error().status == 404);
  CHECK_FALSE(*f.write([&](store::Connection& c) { return bridge::find_mapping(c, id); }));
}

TEST_CASE("bridge cursors and inbound dedupe survive as rows, a repeated delivery is seen once") {
  BridgeFixture f;
  CHECK(*f.write([](store::Connection& c) { return bridge::hub_cursor(c, Network::matrix); }) == 0);
  REQUIRE(f.write([](store::Connection& c) { return bridge::set_hub_cursor(c, Network::matrix, 40); }));
  REQUIRE(f.write([](store::Connection& c) { return bridge::set_hub_cursor(c, Network::matrix, 12); }));  // never back
  CHECK(*f.write([](store::Connection& c) { return bridge::hub_cursor(c, Network::matrix); }) == 40);
  CHECK(*f.write([](store::Connection& c) { return bridge::hub_cursor(c, Network::slack); }) == 0);
  REQUIRE(f.write([](store::Connection& c) { return bridge::set_remote_cursor(c, Network::matrix, "sync", "s72_1"); }));
  REQUIRE(f.write([](store::Connection& c) { return bridge::set_remote_cursor(c, Network::matrix, "sync", "s80_2"); }));
  CHECK(*f.write([](store::Connection& c) { return bridge::remote_cursor(c, Network::matrix, "sync"); }) == "s80_2");
  CHECK(f.write([](store::Connection& c) { return bridge::remote_cursor(c, Network::slack, "sync"); })->empty());
  CHECK(f.write([](store::Connection& c) { return bridge::set_remote_cursor(c, Network::slack, "hub", "x"); }).error().status == 400);
  // The hub cursor and a remote cursor share no storage.
  CHECK(*f.write([](store::Connection& c) { return bridge::hub_cursor(c, Network::matrix); }) == 40);

  CHECK(*f.write([](store::Connection& c) { return bridge::first_delivery(c, Network::matrix, "txn1", 5); }));
  CHECK_FALSE(*f.write([](store::Connection& c) { return bridge::first_delivery(c, Network::matrix, "txn1", 6); }));
  CHECK(*f.write([](store::Connection& c) { return bridge::first_delivery(c, Network::slack, "txn1", 6); }));
  CHECK(f.write([](store::Connection& c) { return bridge::first_delivery(c, Network::slack, "", 6); }).error().status == 400);
}
