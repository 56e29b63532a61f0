// The relay over a real hub: hub events reach a scripted connector in order per channel, once,
// with the remote ids they need; failures wait, park, and hold back only their own channel.
#include <catch2/catch.hpp>

#include <deque>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "bridge/mappings.hpp"
#include "bridge/relay.hpp"
#include "hub/discussion/message_store.hpp"
#include "tests/unit/discussion/discussion_fixture.hpp"

using namespace hub;
using bridge::SendOutcome;
using discussion::Network;
using nlohmann::json;

namespace {

// Records every change it is given; answers from `script` (front first), else "sent" with a
// remote id made from the seq.
class ScriptedConnector final : public bridge::Connector {
 public:
  explicit ScriptedConnector(Network n) : network_(n) {}
  Network network() const override { return network_; }
  boost::asio::awaitable<SendOutcome> send(bridge::Outgoing out) override {
    SendOutcome answer{SendOutcome::Kind::sent, "$ev" + std::to_string(out.event.seq), "", std::nullopt};
    if (!script.empty()) {
      answer = script.front();
      script.pop_front();
    }
    seen.push_back(std::move(out));
    co_return answer;
  }
  std::deque<SendOutcome> script;
  std::vector<bridge::Outgoing> seen;

 private:
  Network network_;
};

struct RelayFixture : testing::DiscussionFixture {
  RelayFixture() { hub->discussion().attach(ioc.get_executor()); }
  ~RelayFixture() {
    for (auto& r : relays) r->stop();
    hub->discussion().stream().stop();  // wakes the queue loops waiting for events
    pump_for(20);
    hub->db().stop();
    ioc.restart();
    ioc.poll();
  }
  bridge::Relay& relay(ScriptedConnector& connector, bridge::RelayOptions options = {}) {
    relays.push_back(std::make_unique<bridge::Relay>(hub->db(), hub->discussion().bridge_seam(), clock, connector, options));
    relays.back()->start(ioc.get_executor());
    return *relays.back();
  }
  std::int64_t map(std::int64_t ch, Network n, const std::string& room) {
    auto m = hub->db().write_now([&](store::Connection& c) { return bridge::add_mapping(c, ch, n, room, 1, clock.now()); });
    REQUIRE(m);
    return m->id;
  }
  template <class Pred>
  bool pump(Pred done) {
    for (int i = 0; i < 400 && !done(); ++i) {
      ioc.restart();
      ioc.run_for(std::chrono::milliseconds(5));
    }
    return done();
  }
  void pump_for(int ms) {
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(ms));
  }
  std::vector<std::string> kinds(const ScriptedConnector& c) {
    std::vector<std::string> out;
    for (const auto& o : c.seen) out.push_back(o.event.kind);
    return out;
  }
  std::int64_t outbox_rows() { return count("bridge_outbox"); }

  boost::asio::io_context ioc;
  std::vector<std::unique_ptr<bridge::Relay>> relays;
};

}  // namespace

TEST_CASE("relay: hub changes in a mapped channel reach the connector once, in order, with their remote ids") {
  RelayFixture f;
  f.map(f.channel, Network::matrix, "!general:hs.example");
  ScriptedConnector matrix(Network::matrix);
  f.relay(matrix);
  const auto first = f.said(f.sam, "hello **room**");
  f.said(f.sam, "not mapped", f.lobby);
  REQUIRE(f.pump([&] { return matrix.seen.size() == 1; }));
  // The outbox id and the event's nonce (bridge::txn_of).
  CHECK(matrix.seen[0].txn_id == "matrix:" + std::to_string(matrix.seen[0].event.seq) + "." + matrix.seen[0].event.nonce);
  CHECK(matrix.seen[0].event.nonce.size() == 16);
  CHECK(matrix.seen[0].mapping.remote_room == "!general:hs.example");
  CHECK_FALSE(matrix.seen[0].self);
  CHECK(json::parse(matrix.seen[0].event.payload)["body"] == "hello **room**");

  // A reply, an edit and a reaction of the sent message carry its remote id.
  const auto reply = f.post(f.mentor, f.channel, {{"body", "welcome"}, {"reply_to", first}});
  REQUIRE(reply.status == 201);
  REQUIRE(f.call(http::Method::patch, f.msg(first), R"({"body":"hello again"})", f.sam).status == 200);
  REQUIRE(f.call(http::Method::post, f.msg(first) + "/reactions", R"({"emoji":"👍"})", f.mentor).status / 100 == 2);
  REQUIRE(f.pump([&] { return matrix.seen.size() == 4; }));
  CHECK(f.kinds(matrix) == std::vector<std::string>{"message.posted", "message.posted", "message.edited", "message.reacted"});
  const auto sent_id = "$ev" + std::to_string(matrix.seen[0].event.seq);
  REQUIRE(matrix.seen[1].reply_to);
  CHECK(matrix.seen[1].reply_to->id == sent_id);
  REQUIRE(matrix.seen[2].self);
  CHECK(matrix.seen[2].self->id == sent_id);
  CHECK(json::parse(matrix.seen[3].event.delta)["emoji"] == "👍");
  for (std::size_t i = 1; i < matrix.seen.size(); ++i) CHECK(matrix.seen[i - 1].event.seq < matrix.seen[i].event.seq);

  // Nothing is sent twice: the outbox holds one row per event, and the map the posted ones.
  f.pump_for(50);
  CHECK(matrix.seen.size() == 4);
  CHECK(f.outbox_rows() == 4);
  CHECK(f.count("bridge_id_map") == 2);
  auto mapping = *f.hub->db().read_now([&](store::Connection& c) { return bridge::mapping_for_channel(c, f.channel, Network::matrix); });
  CHECK(mapping->last_out_at == f.clock.now());
}

TEST_CASE("relay: what came from a network is not sent back to it, but goes on to the others") {
  RelayFixture f;
  f.map(f.channel, Network::matrix, "!general:hs.example");
  f.map(f.channel, Network::slack, "C0GENERAL");
  ScriptedConnector matrix(Network::matrix), slack(Network::slack);
  f.relay(matrix);
  f.relay(slack);
  auto& seam = f.hub->discussion().bridge_seam();
  auto ghost = testing::run_coro(seam.ghost({Network::matrix, "@ana:hs.example", "Ana"}));
  REQUIRE(ghost);
  discussion::BridgeWrite w{Network::matrix, "$remote1", *ghost, {}};
  auto posted = testing::run_coro(seam.post(f.channel, w, "from matrix"));
  REQUIRE(posted);
  f.said(f.sam, "from the hub");
  REQUIRE(f.pump([&] { return slack.seen.size() == 2 && !matrix.seen.empty(); }));
  f.pump_for(50);
  REQUIRE(matrix.seen.size() == 1);  // only the hub's own message
  CHECK(json::parse(matrix.seen[0].event.payload)["body"] == "from the hub");
  CHECK(slack.seen[0].event.origin.network == Network::matrix);
  CHECK(json::parse(slack.seen[0].event.payload)["author"]["via"] == "matrix");
}

TEST_CASE("relay: a failing send waits for its retry and holds back only its own channel, a hard failure parks") {
  RelayFixture f;
  const auto general = f.map(f.channel, Network::matrix, "!general:hs.example");
  f.map(f.lobby, Network::matrix, "!lobby:hs.example");
  ScriptedConnector matrix(Network::matrix);
  matrix.script.push_back({SendOutcome::Kind::retry, "", "M_LIMIT_EXCEEDED", 30});
  auto& relay = f.relay(matrix);
  f.said(f.sam, "one");
  REQUIRE(f.pump([&] { return matrix.seen.size() == 1; }));
  f.said(f.sam, "two");
  f.said(f.sam, "elsewhere", f.lobby);
  REQUIRE(f.pump([&] { return matrix.seen.size() == 2; }));
  f.pump_for(50);
  REQUIRE(matrix.seen.size() == 2);  // "two" waits behind "one"; the lobby went on
  CHECK(json::parse(matrix.seen[1].event.payload)["body"] == "elsewhere");

  f.clock.advance(29);
  relay.poke();
  f.pump_for(50);
  CHECK(matrix.seen.size() == 2);  // Retry-After is honoured
  f.clock.advance(1);
  relay.poke();
  REQUIRE(f.pump([&] { return matrix.seen.size() == 4; }));
  CHECK(json::parse(matrix.seen[2].event.payload)["body"] == "one");
  CHECK(matrix.seen[2].attempt == 2);
  CHECK(matrix.seen[2].txn_id == matrix.seen[0].txn_id);  // the same id on the resend
  CHECK(json::parse(matrix.seen[3].event.payload)["body"] == "two");

  // A refusal that will never work parks at once, with the error on the mapping.
  matrix.script.push_back({SendOutcome::Kind::failed, "", "M_FORBIDDEN: not in room", std::nullopt});
  f.said(f.sam, "three");
  REQUIRE(f.pump([&] { return matrix.seen.size() == 5; }));
  f.pump_for(50);
  auto parked = *f.hub->db().read_now([](store::Connection& c) { return bridge::parked(c, Network::matrix); });
  REQUIRE(parked.size() == 1);
  CHECK(parked[0].last_error == "M_FORBIDDEN: not in room");
  auto m = *f.hub->db().read_now([&](store::Connection& c) { return bridge::find_mapping(c, general); });
  CHECK(m->status == "M_FORBIDDEN: not in room");
  // A parked row holds nothing back, and an admin's retry sends it.
  f.said(f.sam, "four");
  REQUIRE(f.pump([&] { return matrix.seen.size() == 6; }));
  const auto id = parked[0].id;
  REQUIRE(f.hub->db().write_now([&](store::Connection& c) { return bridge::retry_parked(c, id, f.clock.now()); }));
  relay.poke();
  REQUIRE(f.pump([&] { return matrix.seen.size() == 7; }));
  CHECK(json::parse(matrix.seen[6].event.payload)["body"] == "three");
  CHECK(f.hub->db().read_now([](store::Connection& c) { return bridge::parked(c, Network::matrix); })->empty());
}

TEST_CASE("relay: a message deleted before it was sent is not sent, but one whose earlier try may have arrived is looked up and deleted") {
  RelayFixture f;
  f.map(f.channel, Network::matrix, "!general:hs.example");
  ScriptedConnector matrix(Network::matrix);
  matrix.script.push_back({SendOutcome::Kind::retry, "", "HTTP 500", 60});  // perhaps after the remote took it
  auto& relay = f.relay(matrix);
  const auto secret = f.said(f.sam, "oops, my client's name");
  REQUIRE(f.pump([&] { return matrix.seen.size() == 1; }));
  const auto never_tried = f.said(f.sam, "and their address");
  REQUIRE(f.call(http::Method::delete_, f.msg(never_tried), "", f.sam).status / 100 == 2);
  REQUIRE(f.call(http::Method::delete_, f.msg(secret), "", f.sam).status / 100 == 2);
  f.said(f.sam, "after");
  f.pump_for(50);
  relay.stop();
  f.pump_for(50);

  // A new relay (a restarted hub) picks up from the stored cursor and the outbox.
  f.clock.advance(60);
  ScriptedConnector again(Network::matrix);
  f.relay(again);
  REQUIRE(f.pump([&] { return again.seen.size() == 3; }));
  f.pump_for(50);
  REQUIRE(again.seen.size() == 3);
  // The failed post may be in the room: the connector only looks for it (never posts the deleted
  // text), the found id is mapped, and the delete reaches it.
  CHECK(again.seen[0].event.kind == "message.posted");
  CHECK(again.seen[0].lookup_only);
  CHECK(again.seen[0].maybe_sent);
  CHECK(json::parse(again.seen[0].event.payload)["body"] == "");
  CHECK(again.seen[1].event.kind == "message.deleted");
  REQUIRE(again.seen[1].self);
  CHECK(again.seen[1].self->id == "$ev" + std::to_string(again.seen[0].event.seq));
  // The post never tried is skipped with its delete; "after" is sent as usual.
  CHECK_FALSE(again.seen[2].lookup_only);
  CHECK(json::parse(again.seen[2].event.payload)["body"] == "after");
  CHECK(f.outbox_rows() == 5);  // posted, posted, deleted, deleted, posted: each queued once
  CHECK(f.count("bridge_id_map") == 2);
}

TEST_CASE("relay: events that no mapped channel takes cost no write each, and the cursor still moves past them") {
  RelayFixture f;
  f.map(f.lobby, Network::slack, "C0LOBBY");
  ScriptedConnector slack(Network::slack);
  bridge::RelayOptions options;
  options.cursor_every = std::chrono::hours(1);
  auto& relay = f.relay(slack, options);
  auto cursor = [&] { return *f.hub->db().read_now([](store::Connection& c) { return bridge::hub_cursor(c, Network::slack); }); };
  f.said(f.sam, "mapped", f.lobby);
  REQUIRE(f.pump([&] { return slack.seen.size() == 1; }));
  f.pump_for(20);
  const auto first = slack.seen[0].event.seq;
  CHECK(cursor() == first);

  // Ten posts in a channel Slack does not take, each read by the relay on its own: ten writes
  // (the posts), not twenty (each post and a cursor write after it).
  const auto writes = f.hub->db().timings().write_wait.count();
  for (int i = 0; i < 10; ++i) {
    f.said(f.sam, "not mapped " + std::to_string(i));
    f.pump_for(20);
  }
  CHECK(f.hub->db().timings().write_wait.count() - writes == 10);
  CHECK(cursor() == first);  // kept in memory until the next write or cursor_every

  // The next mapped event is queued past them, with the cursor.
  f.said(f.sam, "mapped again", f.lobby);
  REQUIRE(f.pump([&] { return slack.seen.size() == 2; }));
  f.pump_for(20);
  CHECK(cursor() == slack.seen[1].event.seq);
  CHECK(slack.seen[1].event.seq == first + 11);

  // A restart before the cursor was written reads those events again and queues none of them.
  f.said(f.sam, "not mapped either");
  f.pump_for(20);
  relay.stop();
  f.pump_for(20);
  CHECK(cursor() == first + 11);
  ScriptedConnector again(Network::slack);
  f.relay(again);  // the default: a cursor-only write at most once a second
  f.pump_for(50);
  CHECK(again.seen.empty());
  CHECK(f.outbox_rows() == 2);
  CHECK(cursor() == first + 12);  // its first batch is written: nothing persisted yet in this run
}

TEST_CASE("relay: a cursor moved in memory is written cursor_every later, even when no event follows") {
  RelayFixture f;
  ScriptedConnector slack(Network::slack);
  bridge::RelayOptions options;
  options.cursor_every = std::chrono::milliseconds(30);
  f.relay(slack, options);
  auto cursor = [&] { return *f.hub->db().read_now([](store::Connection& c) { return bridge::hub_cursor(c, Network::slack); }); };
  const auto first = f.said(f.sam, "one");
  f.pump_for(10);  // the first batch is written at once
  f.said(f.sam, "two");
  f.said(f.sam, "three");
  REQUIRE(f.pump([&] { return cursor() == 3; }));  // three events, all read, the last written late
  CHECK(first > 0);
  CHECK(slack.seen.empty());
}

TEST_CASE("relay: a park whose reason was cleared while the send was under way leaves the row pending") {
  // The Matrix bot out of the room parks a send at once; if it is invited back while that send is
  // in flight, the park must not land after note_back() re-queued the room's parked rows.
  RelayFixture f;
  f.map(f.channel, Network::matrix, "!general:hs.example");
  const std::string why = "the bot was removed from the room";
  auto set_reason = [&](const std::string& r) {
    REQUIRE(f.hub->db().write_now([&](store::Connection& c) { return bridge::set_remote_cursor(c, Network::matrix, "out", r); }));
  };
  set_reason(why);
  ScriptedConnector matrix(Network::matrix);
  SendOutcome park{SendOutcome::Kind::failed, "", why, std::nullopt};
  park.unless_cleared = "out";
  matrix.script.push_back(park);
  auto& relay = f.relay(matrix);
  f.said(f.sam, "while it is out");
  REQUIRE(f.pump([&] { return matrix.seen.size() == 1; }));
  f.pump_for(20);
  CHECK(f.hub->db().read_now([](store::Connection& c) { return bridge::parked(c, Network::matrix); })->size() == 1);

  // Back before the park is recorded: the row stays pending, due at once, and goes out again.
  set_reason("");
  matrix.script.push_back(park);
  f.said(f.sam, "as it comes back");
  relay.poke();
  REQUIRE(f.pump([&] { return matrix.seen.size() == 3; }));
  f.pump_for(20);
  CHECK(matrix.seen.size() == 3);
  CHECK(json::parse(matrix.seen[1].event.payload)["body"] == "as it comes back");
  CHECK(matrix.seen[2].event.seq == matrix.seen[1].event.seq);
  CHECK(f.hub->db().read_now([](store::Connection& c) { return bridge::parked(c, Network::matrix); })->size() == 1);
}

TEST_CASE("relay: a reaction says how many on the hub react with each emoji, the network's own ghosts not counted") {
  RelayFixture f;
  f.map(f.channel, Network::slack, "C0GENERAL");
  ScriptedConnector slack(Network::slack);
  f.relay(slack);
  const auto liked = f.said(f.sam, "react to me");
  REQUIRE(f.pump([&] { return slack.seen.size() == 1; }));
  // A Slack person's reaction (their ghost's) is Slack's own; a Matrix person's counts.
  auto ghosts = f.hub->db().write_now([&](store::Connection& c) -> http::Result<std::pair<std::int64_t, std::int64_t>> {
    auto from_slack = discussion::ghost_user(c, {Network::slack, "U2BOB", "Bob"}, f.clock.now());
    if (!from_slack) return from_slack.error();
    auto from_matrix = discussion::ghost_user(c, {Network::matrix, "@eve:hs.example", "Eve"}, f.clock.now());
    if (!from_matrix) return from_matrix.error();
    for (auto [who, network] : {std::pair{*from_slack, Network::slack}, std::pair{*from_matrix, Network::matrix}})
      if (auto r = discussion::set_reaction(c, liked, who, ":tada:", true, f.clock.now(), network); !r) return r.error();
    return std::pair{*from_slack, *from_matrix};
  });
  REQUIRE(ghosts);
  const std::string reactions = f.msg(liked) + "/reactions";
  REQUIRE(f.call(http::Method::post, reactions, R"({"emoji":":tada:"})", f.sam).status / 100 == 2);
  REQUIRE(f.call(http::Method::post, reactions, R"({"emoji":":tada:"})", f.mentor).status / 100 == 2);
  REQUIRE(f.call(http::Method::delete_, reactions + "/:tada:", "", f.sam).status / 100 == 2);
  REQUIRE(f.call(http::Method::delete_, reactions + "/:tada:", "", f.mentor).status / 100 == 2);
  // Eve (Matrix) takes hers back through the bridge: Slack hears of it too.
  REQUIRE(f.hub->db().write_now([&](store::Connection& c) {
    return discussion::set_reaction(c, liked, ghosts->second, ":tada:", false, f.clock.now(), Network::matrix);
  }));
  f.hub->discussion().stream().notify();
  REQUIRE(f.pump([&] { return slack.seen.size() == 7; }));
  std::vector<int> counts;
  for (std::size_t i = 1; i < slack.seen.size(); ++i) counts.push_back(slack.seen[i].hub_reactions[":tada:"]);
  // eve +1, sam +1, mia +1, sam -1, mia -1, eve -1; Bob (Slack) never counts, nor is his reaction relayed to Slack.
  CHECK(counts == std::vector<int>{1, 2, 3, 2, 1, 0});
}

TEST_CASE("relay: a wait under a second that the remote asks for is waited out at once, not a whole second") {
  RelayFixture f;
  f.map(f.channel, Network::matrix, "!general:hs.example");
  ScriptedConnector matrix(Network::matrix);
  SendOutcome limited{SendOutcome::Kind::retry, "", "M_LIMIT_EXCEEDED", 1, 20};
  matrix.script = {limited, limited};
  auto& relay = f.relay(matrix);
  f.said(f.sam, "one");
  // Resent twice within the same second of the (fake) clock: no clock move, no poke needed.
  REQUIRE(f.pump([&] { return matrix.seen.size() == 3 && relay.sent() == 1; }));
  CHECK(matrix.seen[2].txn_id == matrix.seen[0].txn_id);
  CHECK(matrix.seen[2].attempt == 1);  // a rate limit waited out is not a failed attempt
  CHECK(f.hub->db().read_now([](store::Connection& c) { return bridge::parked(c, Network::matrix); })->empty());
  CHECK(relay.failures() == 2);
}

TEST_CASE("relay: a send that may repeat one whose answer was lost says so: a retry, and a channel's first send after a start") {
  RelayFixture f;
  f.map(f.channel, Network::slack, "C0GENERAL");
  ScriptedConnector slack(Network::slack);
  slack.script = {{SendOutcome::Kind::sent, "1.1", "", std::nullopt}, {SendOutcome::Kind::retry, "", "HTTP 500", 0}};
  auto& relay = f.relay(slack);
  f.said(f.sam, "one");
  REQUIRE(f.pump([&] { return slack.seen.size() == 1; }));
  f.said(f.sam, "two");
  REQUIRE(f.pump([&] { return slack.seen.size() == 3; }));  // "two" failed (perhaps after Slack took it) and is resent
  f.said(f.sam, "three");
  REQUIRE(f.pump([&] { return slack.seen.size() == 4; }));
  std::vector<bool> maybe;
  for (const auto& o : slack.seen) maybe.push_back(o.maybe_sent);
  // "one" was the channel's first send since the start: a crash may have cut off its answer.
  CHECK(maybe == std::vector<bool>{true, false, true, false});
  CHECK(slack.seen[2].attempt == 2);

  relay.stop();
  f.pump_for(20);
  ScriptedConnector again(Network::slack);  // a restarted hub
  f.relay(again);
  f.said(f.sam, "four");
  f.said(f.sam, "five");
  REQUIRE(f.pump([&] { return again.seen.size() == 2; }));
  CHECK(again.seen[0].maybe_sent);
  CHECK_FALSE(again.seen[1].maybe_sent);
}

TEST_CASE("relay: after a restore from a backup, an event sent again keeps its txnId, and a new event under a reused seq gets another") {
  RelayFixture f;
  f.map(f.channel, Network::matrix, "!general:hs.example");
  ScriptedConnector matrix(Network::matrix);
  auto& relay = f.relay(matrix);
  f.said(f.sam, "one");
  REQUIRE(f.pump([&] { return matrix.seen.size() == 1; }));
  const std::string first = matrix.seen[0].txn_id;
  const std::int64_t seq = matrix.seen[0].event.seq;
  relay.stop();
  f.pump_for(20);
  // The backup was taken after the event was written and before the relay queued it: the restored
  // hub has the event, and neither its outbox row, nor its remote id, nor the moved cursor.
  const auto restore = [&](const char* more) {
    REQUIRE(f.hub->db().write_now([&](store::Connection& c) -> http::Status {
      if (auto s = c.exec("DELETE FROM bridge_outbox; DELETE FROM bridge_id_map;"); !s) return s;
      if (auto s = c.exec(more); !s) return s;
      auto back = c.prepare("UPDATE bridge_cursors SET hub_seq = ?1 WHERE network = 'matrix' AND name = 'hub'");
      back.bind(1, seq - 1);
      return back.run();
    }));
  };
  restore("SELECT 1");
  ScriptedConnector again(Network::matrix);
  auto& restarted = f.relay(again);
  REQUIRE(f.pump([&] { return again.seen.size() == 1; }));
  CHECK(again.seen[0].event.seq == seq);
  CHECK(again.seen[0].txn_id == first);  // so the remote's dedupe or the look-up finds the first send
  CHECK(again.seen[0].maybe_sent);
  restarted.stop();
  f.pump_for(20);
  // The backup was taken before the event: the restored hub gives its seq to the next event.
  restore("DELETE FROM events WHERE seq >= (SELECT max(seq) FROM events); "
          "UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM events) WHERE name = 'events';");
  ScriptedConnector later(Network::matrix);
  f.relay(later);
  f.said(f.sam, "two");
  REQUIRE(f.pump([&] { return later.seen.size() == 1; }));
  CHECK(later.seen[0].event.seq == seq);
  CHECK(json::parse(later.seen[0].event.payload)["body"] == "two");
  CHECK(later.seen[0].txn_id != first);  // a new message, not taken for "one"
}

TEST_CASE("relay: sent outbox rows are pruned after a week as traffic goes on, waiting and parked rows stay") {
  RelayFixture f;
  f.map(f.channel, Network::matrix, "!general:hs.example");
  ScriptedConnector matrix(Network::matrix);
  matrix.script.push_back({SendOutcome::Kind::failed, "", "M_FORBIDDEN: not in room", std::nullopt});
  f.relay(matrix);
  f.said(f.sam, "parked");
  f.said(f.sam, "sent");
  REQUIRE(f.pump([&] { return matrix.seen.size() == 2; }));
  f.pump_for(20);
  CHECK(f.outbox_rows() == 2);
  f.clock.advance(bridge::kSentOutboxKeptS - 1);
  f.said(f.sam, "a second short of the week");
  REQUIRE(f.pump([&] { return matrix.seen.size() == 3; }));
  f.pump_for(20);
  CHECK(f.outbox_rows() == 3);  // nothing is a week old yet
  f.clock.advance(bridge::kOutboxPruneEveryS + 1);  // the relay prunes at most once an hour
  f.said(f.sam, "a week on");
  REQUIRE(f.pump([&] { return matrix.seen.size() == 4; }));
  f.pump_for(20);
  // "sent" is gone; the parked row and the two recent ones stay. The id map keeps every message.
  CHECK(f.outbox_rows() == 3);
  CHECK(f.hub->db().read_now([](store::Connection& c) { return bridge::parked(c, Network::matrix); })->size() == 1);
  CHECK(f.count("bridge_id_map") == 3);
}
