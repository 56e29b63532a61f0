#include <utility>

#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "tests/unit/discussion/discussion_fixture.hpp"

using namespace hub;
using hub::http::Method;
using hub::testing::DiscussionFixture;
using nlohmann::json;

namespace {

// A WebSocket peer that records what it is sent; `capacity` frames at most, like hub/net's queue.
class FakePeer final : public http::WebSocketPeer {
 public:
  explicit FakePeer(std::uint64_t id, std::size_t capacity = 10'000) : id_(id), capacity_(capacity) {}
  bool send(std::shared_ptr<const std::string> text) override {
    std::lock_guard lock(mutex_);
    if (closed_) return false;
    if (raw_.size() >= capacity_) {
      closed_ = 1008;
      return false;
    }
    raw_.push_back(std::move(text));
    return true;
  }
  void close(std::uint16_t code, std::string) override {
    std::lock_guard lock(mutex_);
    if (!closed_) closed_ = code;
  }
  std::uint64_t id() const override { return id_; }

  std::vector<json> frames() {
    std::lock_guard lock(mutex_);
    std::vector<json> out;
    for (auto& r : raw_) out.push_back(json::parse(*r));
    return out;
  }
  std::vector<std::shared_ptr<const std::string>> raw() {
    std::lock_guard lock(mutex_);
    return raw_;
  }
  // Lets go of every frame, as hub/net does once a frame is written.
  void forget() {
    std::lock_guard lock(mutex_);
    raw_.clear();
  }
  std::vector<std::int64_t> seqs() {
    std::vector<std::int64_t> out;
    for (auto& f : frames())
      if (f["type"] == "event") out.push_back(f["seq"]);
    return out;
  }
  int closed() {
    std::lock_guard lock(mutex_);
    return closed_;
  }

 private:
  const std::uint64_t id_;
  const std::size_t capacity_;
  std::mutex mutex_;
  std::vector<std::shared_ptr<const std::string>> raw_;
  int closed_ = 0;
};

struct LiveFixture : DiscussionFixture {
  LiveFixture() { hub->discussion().attach(ioc.get_executor()); }
  // DB completions post to `ioc`: let them land before it goes.
  ~LiveFixture() {
    hub->db().stop();
    ioc.restart();
    ioc.poll();
  }

  // Runs the live side until `done()` or a second passes.
  template <class Pred>
  bool pump(Pred done) {
    for (int i = 0; i < 200 && !done(); ++i) {
      ioc.restart();
      ioc.run_for(std::chrono::milliseconds(5));
    }
    return done();
  }
  // Runs the live side briefly, for checks that nothing (more) happens.
  void settle() {
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(100));
  }
  std::shared_ptr<FakePeer> connect(const std::string& cookie, std::size_t capacity = 10'000) {
    http::Request up;
    up.path = "/api/live";
    up.headers.set("Host", "hub.test");
    up.headers.set("Origin", "http://hub.test");
    up.headers.set("Cookie", cookie);
    auto refused = testing::run_coro(endpoint().admit(up));
    REQUIRE_FALSE(refused.has_value());
    auto peer = std::make_shared<FakePeer>(++next_id, capacity);
    endpoint().on_open(peer, up);
    return peer;
  }
  http::WebSocketHandler& endpoint() { return hub->discussion().live_endpoint(); }

  boost::asio::io_context ioc;
  std::uint64_t next_id = 0;
};

}  // namespace

TEST_CASE("live: the upgrade needs a session and a same-origin Origin") {
  LiveFixture f;
  http::Request up;
  up.headers.set("Host", "hub.test");
  up.headers.set("Origin", "http://hub.test");
  auto anonymous = testing::run_coro(f.endpoint().admit(up));
  REQUIRE(anonymous.has_value());
  CHECK(anonymous->status == 401);
  up.headers.set("Cookie", f.sam);
  up.headers.set("Origin", "https://evil.example");
  auto cross = testing::run_coro(f.endpoint().admit(up));
  REQUIRE(cross.has_value());
  CHECK(cross->status == 403);
  up.headers.set("Origin", "");
  auto none = testing::run_coro(f.endpoint().admit(up));
  REQUIRE(none.has_value());
  CHECK(none->status == 403);
}

TEST_CASE("live: a subscriber gets the backlog after `since`, then live events, each once and in order") {
  LiveFixture f;
  auto first = f.say(f.sam, "before").json()["seq"].get<std::int64_t>();
  f.say(f.sam, "missed one");
  f.say(f.sam, "other channel", f.lobby);
  f.say(f.sam, "missed two");
  auto peer = f.connect(f.sam);
  f.endpoint().on_message(peer, json{{"subscribe", {f.channel}}, {"since", first}}.dump());
  REQUIRE(f.pump([&] { return peer->seqs().size() == 2; }));
  CHECK(peer->frames()[0]["type"] == "subscribed");
  auto live = f.say(f.mentor, "live now").json()["seq"].get<std::int64_t>();
  REQUIRE(f.pump([&] { return peer->seqs().size() == 3; }));
  auto seqs = peer->seqs();
  CHECK(seqs.back() == live);
  CHECK(std::is_sorted(seqs.begin(), seqs.end()));
  CHECK(std::adjacent_find(seqs.begin(), seqs.end()) == seqs.end());
  auto last = peer->frames().back();
  CHECK(last["kind"] == "message.posted");
  CHECK(last["message"]["body"] == "live now");
  f.pump([] { return false; });  // nothing more arrives
  CHECK(peer->seqs().size() == 3);
}

TEST_CASE("live: edits, deletes and reactions are events too, every subscriber shares one frame") {
  LiveFixture f;
  auto a = f.connect(f.sam), b = f.connect(f.mentor);
  f.endpoint().on_message(a, json{{"subscribe", {f.channel}}}.dump());
  f.endpoint().on_message(b, json{{"subscribe", {f.channel, f.lobby}}}.dump());
  f.pump([&] { return a->frames().size() == 1 && b->frames().size() == 1; });
  auto id = f.said(f.sam, "typo");
  f.call(Method::patch, f.msg(id), R"({"body":"fixed"})", f.sam);
  f.call(Method::post, f.msg(id) + "/reactions", R"({"emoji":"🎉"})", f.mentor);
  f.call(Method::delete_, f.msg(id), "", f.sam);
  REQUIRE(f.pump([&] { return a->seqs().size() == 4 && b->seqs().size() == 4; }));
  std::vector<std::string> kinds;
  for (auto& fr : a->frames())
    if (fr["type"] == "event") kinds.push_back(fr["kind"]);
  CHECK(kinds == std::vector<std::string>{"message.posted", "message.edited", "message.reacted", "message.deleted"});
  CHECK(a->raw().back() == b->raw().back());  // the same immutable string, not a copy
  CHECK(a->frames().back()["message"]["deleted"] == true);
}

TEST_CASE("live: a post's stages are timed, the fan-out until the last subscriber lets go of the frame") {
  LiveFixture f;
  auto a = f.connect(f.sam), b = f.connect(f.mentor);
  f.endpoint().on_message(a, json{{"subscribe", {f.channel}}}.dump());
  f.endpoint().on_message(b, json{{"subscribe", {f.channel}}}.dump());
  REQUIRE(f.pump([&] { return a->frames().size() == 1 && b->frames().size() == 1; }));
  auto& t = f.hub->discussion().stream().timings();
  f.say(f.sam, "timed");
  REQUIRE(f.pump([&] { return a->seqs().size() == 1 && b->seqs().size() == 1; }));
  CHECK(t.render.count() == 1);
  CHECK(t.write.count() == 1);
  CHECK(t.fanout_queue.count() == 1);
  CHECK(t.frames_written->count() == 0);  // both peers still hold the frame
  a->forget();
  CHECK(t.frames_written->count() == 0);
  b->forget();  // the last one: "written"
  CHECK(t.frames_written->count() == 1);
}

TEST_CASE("live: bad subscribe requests get an error event and a 1008 close, others carry on") {
  LiveFixture f;
  auto good = f.connect(f.sam);
  f.endpoint().on_message(good, json{{"subscribe", {f.channel}}}.dump());
  auto check_refused = [&](const std::string& text, const std::string& code, const std::string& who = "") {
    auto peer = f.connect(who.empty() ? f.sam : who);
    f.endpoint().on_message(peer, text);
    REQUIRE(f.pump([&] { return peer->closed() != 0; }));
    CHECK(peer->closed() == 1008);
    auto frames = peer->frames();
    REQUIRE_FALSE(frames.empty());
    CHECK(frames.back()["type"] == "error");
    CHECK(frames.back()["code"] == code);
  };
  check_refused("not json", "bad_request");
  check_refused(R"({"subscribe":"all"})", "invalid_field");
  check_refused(R"({"subscribe":[-1]})", "invalid_field");
  check_refused(json{{"subscribe", {f.channel}}, {"since", "x"}}.dump(), "invalid_field");
  check_refused(json{{"subscribe", {f.channel}}, {"since", 1'000'000}}.dump(), "invalid_field");  // from the future
  check_refused(json{{"subscribe", {f.channel}}}.dump(), "not_found", f.lee);                     // not a member
  check_refused(json{{"subscribe", {424242}}}.dump(), "not_found");
  f.say(f.sam, "still here");
  REQUIRE(f.pump([&] { return good->seqs().size() == 1; }));
  CHECK(good->closed() == 0);
}

TEST_CASE("live: a reconnect far behind gets a resync instead of an unbounded backlog") {
  LiveFixture f;
  f.hub->db().write_now([&](store::Connection& c) -> http::Status {
    auto s = c.prepare("INSERT INTO events (channel_id, kind, message_id, payload, created_at) "
                       "VALUES (?1, 'message.posted', NULL, '{}', 0)");
    for (int i = 0; i < discussion::kCatchUpMax + 5; ++i) {
      s.bind(1, f.channel);
      if (auto r = s.run(); !r) return r.error();
    }
    return http::Ok{};
  });
  auto peer = f.connect(f.sam);
  f.endpoint().on_message(peer, json{{"subscribe", {f.channel}}, {"since", 0}}.dump());
  REQUIRE(f.pump([&] { return peer->frames().size() == 2; }));
  CHECK(peer->frames()[1]["type"] == "resync");
  CHECK(peer->seqs().empty());
  auto next = f.say(f.sam, "after the resync").json()["seq"];
  REQUIRE(f.pump([&] { return peer->seqs().size() == 1; }));
  CHECK(peer->seqs()[0] == next);
}

TEST_CASE("live: a second subscribe on one connection is refused, ping answers pong") {
  LiveFixture f;
  auto peer = f.connect(f.sam);
  f.endpoint().on_message(peer, R"({"type":"ping"})");
  CHECK(peer->frames().at(0)["type"] == "pong");
  f.endpoint().on_message(peer, json{{"subscribe", {f.channel}}}.dump());
  f.endpoint().on_message(peer, json{{"subscribe", {f.lobby}}}.dump());
  CHECK(peer->closed() == 1008);
  f.endpoint().on_close(peer);
  f.pump([] { return false; });
  CHECK(f.hub->discussion().stream().subscriber_count() == 0);
}

TEST_CASE("live: logout closes the connections of that session, not the user's others") {
  LiveFixture f;
  auto second_session = f.login("sam");
  auto a = f.connect(f.sam), b = f.connect(second_session);
  for (auto& p : {a, b}) f.endpoint().on_message(p, json{{"subscribe", {f.channel}}}.dump());
  REQUIRE(f.pump([&] { return !a->frames().empty() && !b->frames().empty(); }));
  CHECK(f.call(Method::post, "/api/logout", "{}", f.sam).status == 204);
  CHECK(a->closed() == 1008);
  CHECK(a->frames().back()["code"] == "unauthenticated");
  CHECK(b->closed() == 0);
}

TEST_CASE("live: removing a member from the cohort drops its channels from their connections") {
  LiveFixture f;
  auto peer = f.connect(f.sam);
  f.endpoint().on_message(peer, json{{"subscribe", {f.channel, f.lobby}}}.dump());
  REQUIRE(f.pump([&] { return !peer->frames().empty(); }));
  auto sam_id = f.call(Method::get, "/api/me", "", f.sam).json()["id"].get<std::int64_t>();
  auto removed = f.call(Method::delete_, "/api/cohorts/" + std::to_string(f.cohort) + "/members/" + std::to_string(sam_id),
                        "", f.admin);
  CHECK(removed.status == 204);
  auto unsubscribed = [&] {
    for (auto& fr : peer->frames())
      if (fr["type"] == "unsubscribed") return true;
    return false;
  };
  REQUIRE(f.pump(unsubscribed));
  auto secret = f.say(f.admin, "members only").json()["seq"].get<std::int64_t>();
  auto open = f.say(f.admin, "everyone", f.lobby).json()["seq"].get<std::int64_t>();
  REQUIRE(f.pump([&] { auto s = peer->seqs(); return std::find(s.begin(), s.end(), open) != s.end(); }));
  auto seqs = peer->seqs();
  CHECK(std::find(seqs.begin(), seqs.end(), secret) == seqs.end());
  CHECK(peer->closed() == 0);
}

// ---- The bridge seam (bridge_seam.hpp) and the fan-out straight from the write ----

namespace {

discussion::BridgeWrite seam_write(std::int64_t actor, std::string key) {
  discussion::BridgeWrite w;
  w.network = discussion::Network::matrix;
  w.idempotency_key = std::move(key);
  w.actor_id = actor;
  return w;
}

std::int64_t seam_ghost(LiveFixture& f, const std::string& remote_id, const std::string& name) {
  discussion::Ghost g{discussion::Network::matrix, remote_id, name};
  auto id = f.hub->db().write_now([&](store::Connection& c) { return discussion::ghost_user(c, g, 1000); });
  REQUIRE(id);
  return *id;
}

std::vector<discussion::Event> seam_events_after(LiveFixture& f, std::int64_t after) {
  auto events = f.hub->db().read_now(
      [&](store::Connection& c) { return discussion::read_events(c, {}, after, INT64_MAX, 100); });
  REQUIRE(events);
  return *events;
}

}  // namespace

TEST_CASE("bridge seam: a ghost authors messages shown via Matrix and can never log in") {
  LiveFixture f;
  const auto ghost = seam_ghost(f, "@ana:matrix.example.org", "Ana B");
  CHECK(seam_ghost(f, "@ana:matrix.example.org", "Ana Renamed") == ghost);  // one user per remote id
  CHECK(seam_ghost(f, "@ana:other.example.org", "Ana") != ghost);           // handle taken: a new one
  auto seam = &f.hub->discussion().bridge_seam();
  auto w = seam_write(ghost, "$event1");
  auto posted = testing::run_coro(seam->post(f.channel, w, "hello from **Element**"));
  REQUIRE(posted);
  const auto id = posted->change.message["id"].get<std::int64_t>();
  auto edited = testing::run_coro(seam->edit(id, seam_write(ghost, "$event2"), "hello, edited"));
  REQUIRE(edited);
  CHECK(edited->change.message["body"] == "hello, edited");
  auto page = f.call(Method::get, f.msgs(f.channel), "", f.sam).json()["items"];
  REQUIRE(page.size() == 1);
  CHECK(page[0]["body"] == "hello, edited");
  CHECK(page[0]["author"]["handle"] == "matrix_ana");
  CHECK(page[0]["author"]["display_name"] == "Ana Renamed");
  CHECK(page[0]["author"]["via"] == "matrix");
  CHECK(posted->change.message["html"].get<std::string>().find("<strong>Element</strong>") != std::string::npos);
  auto hub_post = f.say(f.sam, "hi Ana").json();
  CHECK(hub_post["message"]["author"]["via"].is_null());
  // No password opens a ghost's account, not even an empty one or the stored marker itself.
  for (const char* pw : {"", "a long enough passphrase", "!ghost: a bridged identity never logs in"}) {
    auto login = f.call(Method::post, "/api/login", json{{"handle", "matrix_ana"}, {"password", pw}}.dump());
    CHECK((login.status == 401 || login.status == 400));
    CHECK(login.set_cookie().empty());
  }
}

TEST_CASE("bridge seam: a repeated idempotency key applies once, the id-map row shares the transaction") {
  LiveFixture f;
  const auto ghost = seam_ghost(f, "@bo:hs.example", "Bo");
  int map_rows = 0;
  auto w = seam_write(ghost, "$dup");
  w.map_row = [&](store::Connection&, const discussion::Change& ch) -> http::Status {
    CHECK(ch.seq > 0);
    ++map_rows;
    return http::Ok{};
  };
  const std::int64_t messages = f.count("messages");
  auto first = testing::run_coro(f.hub->discussion().bridge_seam().post(f.channel, w, "once"));
  auto again = testing::run_coro(f.hub->discussion().bridge_seam().post(f.channel, w, "once"));
  REQUIRE(first);
  REQUIRE(again);
  CHECK_FALSE(first->repeated);
  CHECK(again->repeated);
  CHECK(again->change.seq == first->change.seq);
  CHECK(again->change.message["id"] == first->change.message["id"]);
  CHECK(f.count("messages") == messages + 1);
  CHECK(map_rows == 1);
  // A failing id-map row rolls the message back with it, and the key stays unused.
  auto failing = seam_write(ghost, "$fails");
  failing.map_row = [](store::Connection&, const discussion::Change&) -> http::Status {
    return http::ApiError::conflict("id map says no");
  };
  auto refused = testing::run_coro(f.hub->discussion().bridge_seam().post(f.channel, failing, "never"));
  REQUIRE_FALSE(refused);
  CHECK(f.count("messages") == messages + 1);
  failing.map_row = nullptr;
  auto retried = testing::run_coro(f.hub->discussion().bridge_seam().post(f.channel, failing, "now"));
  REQUIRE(retried);
  CHECK_FALSE(retried->repeated);
  // Only a ghost of the write's network may be its actor.
  auto sam_id = f.call(Method::get, "/api/me", "", f.sam).json()["id"].get<std::int64_t>();
  auto as_hub_user = testing::run_coro(f.hub->discussion().bridge_seam().post(f.channel, seam_write(sam_id, "$x"), "x"));
  REQUIRE_FALSE(as_hub_user);
  CHECK(as_hub_user.error().status == 403);
}

TEST_CASE("bridge seam: every event records who and through which network, reactions carry deltas") {
  LiveFixture f;
  const auto ghost = seam_ghost(f, "@cy:hs.example", "Cy");
  const auto head = seam_events_after(f, 0).size();
  const auto id = f.said(f.sam, "from the hub");
  auto& seam = f.hub->discussion().bridge_seam();
  REQUIRE(testing::run_coro(seam.react(id, seam_write(ghost, "$r1"), "👍", true)));
  REQUIRE(testing::run_coro(seam.react(id, seam_write(ghost, "$r2"), "👍", false)));
  // A ghost edits only what its remote user wrote.
  auto foreign_edit = testing::run_coro(seam.edit(id, seam_write(ghost, "$e1"), "edited remotely"));
  REQUIRE_FALSE(foreign_edit);
  CHECK(foreign_edit.error().status == 403);
  auto events = seam_events_after(f, static_cast<std::int64_t>(head));
  REQUIRE(events.size() >= 3);
  auto sam_id = f.call(Method::get, "/api/me", "", f.sam).json()["id"].get<std::int64_t>();
  CHECK(events[0].kind == "message.posted");
  CHECK(events[0].origin.network == discussion::Network::hub);
  CHECK(events[0].origin.actor_id == sam_id);
  CHECK(events[1].kind == "message.reacted");
  CHECK(events[1].origin.network == discussion::Network::matrix);
  CHECK(events[1].origin.actor_id == ghost);
  CHECK(json::parse(events[1].delta) == json{{"user_id", ghost}, {"handle", "matrix_cy"}, {"emoji", "👍"}, {"added", true}});
  CHECK(json::parse(events[2].delta)["added"] == false);
  // Removing a reaction that is not there changes nothing: no delta.
  REQUIRE(testing::run_coro(seam.react(id, seam_write(ghost, "$r3"), "👍", false)));
  CHECK(seam_events_after(f, events.back().seq).back().delta.empty());
  // Live clients see the origin too.
  auto frame = json::parse(discussion::event_frame(events[1]));
  CHECK(frame["origin"] == json{{"network", "matrix"}, {"actor_id", ghost}});
  CHECK(frame["delta"]["emoji"] == "👍");
  CHECK_FALSE(frame.contains("nonce"));
  // Each event has a nonce of its own (bridge txnIds: a restore gives seqs out again), read back as written.
  std::set<std::string> nonces;
  for (const auto& e : events) {
    CHECK(e.nonce.size() == 16);
    CHECK(e.nonce.find_first_not_of("0123456789abcdef") == std::string::npos);
    nonces.insert(e.nonce);
  }
  CHECK(nonces.size() == events.size());
  CHECK(seam_events_after(f, events[0].seq - 1).front().nonce == events[0].nonce);
}

TEST_CASE("bridge seam: next_events waits for the next event and wakes on it, without polling") {
  LiveFixture f;
  f.say(f.sam, "old");
  const auto head = seam_events_after(f, 0).back().seq;
  std::optional<http::Result<std::vector<discussion::Event>>> got;
  auto waiter = [&]() -> boost::asio::awaitable<void> {
    std::vector<std::int64_t> channels{f.channel};  // named: no braced temporaries inside co_await (g++ 12)
    got = co_await f.hub->discussion().bridge_seam().next_events(head, std::move(channels), 10);
  };
  boost::asio::co_spawn(f.ioc, waiter(), boost::asio::detached);
  f.settle();  // nothing new: still waiting
  CHECK_FALSE(got);
  f.say(f.sam, "elsewhere", f.lobby);  // another channel wakes it, but it keeps waiting
  f.settle();
  CHECK_FALSE(got);
  const auto seq = f.say(f.sam, "new").json()["seq"].get<std::int64_t>();
  REQUIRE(f.pump([&] { return got.has_value(); }));
  REQUIRE(*got);
  REQUIRE((*got)->size() == 1);
  CHECK((*got)->front().seq == seq);
  CHECK((*got)->front().kind == "message.posted");
}

TEST_CASE("fan-out: events published out of order, or appended without publishing, reach subscribers in order") {
  LiveFixture f;
  auto peer = f.connect(f.sam);
  f.endpoint().on_message(peer, json{{"subscribe", {f.channel}}}.dump());
  REQUIRE(f.pump([&] { return !peer->frames().empty(); }));
  auto append = [&](const char* text) {
    auto e = f.hub->db().write_now([&](store::Connection& c) -> http::Result<discussion::Event> {
      discussion::Event ev{0, f.channel, "message.posted", json{{"body", text}}.dump(), 0, {}, {}};
      auto seq = discussion::append_event(c, ev, 0);
      if (!seq) return seq.error();
      ev.seq = *seq;
      return ev;
    });
    REQUIRE(e);
    return *e;
  };
  auto a = append("a"), b = append("b");
  f.hub->discussion().stream().publish({b});  // b first: it waits for a
  f.hub->discussion().stream().publish({a});
  REQUIRE(f.pump([&] { return peer->seqs().size() == 2; }));
  CHECK(peer->seqs() == std::vector<std::int64_t>{a.seq, b.seq});
  auto c = append("c"), d = append("d");  // c is never published: the table fills the gap
  f.hub->discussion().stream().publish({d});
  REQUIRE(f.pump([&] { return peer->seqs().size() == 4; }));
  CHECK(peer->seqs() == std::vector<std::int64_t>{a.seq, b.seq, c.seq, d.seq});
  f.hub->discussion().stream().publish({c});  // late and already delivered: nothing more
  f.settle();
  CHECK(peer->seqs().size() == 4);
}

TEST_CASE("archive: a moderator archives a channel, it is read-only with a 409, its history readable, and live "
          "subscribers get channel.updated for it and for a rename") {
  LiveFixture f;
  const auto kept = f.said(f.sam, "before the archive");
  const auto ghost = seam_ghost(f, "@arc:hs.example", "Arc");
  auto seam = &f.hub->discussion().bridge_seam();
  auto bridged = testing::run_coro(seam->post(f.channel, seam_write(ghost, "$before"), "bridged earlier"));
  REQUIRE(bridged);
  auto peer = f.connect(f.sam);
  f.endpoint().on_message(peer, json{{"subscribe", {f.channel}}, {"since", f.count("events")}}.dump());
  REQUIRE(f.pump([&] { return peer->frames().size() == 1; }));
  const std::string path = "/api/channels/" + std::to_string(f.channel);

  // Only those who may rename may archive; the bad value is named.
  CHECK(f.call(Method::patch, path, R"({"archived":true})", f.sam).status == 403);
  CHECK(f.call(Method::patch, path, R"({"archived":true})", f.lee).status == 404);
  CHECK(f.call(Method::patch, path, R"({"archived":"yes"})", f.mentor).json()["error"]["field"] == "archived");
  auto archived = f.call(Method::patch, path, R"({"archived":true})", f.mentor);
  REQUIRE(archived.status == 200);
  CHECK(archived.json()["channel"]["archived"] == true);
  CHECK(archived.json()["channel"]["archived_at"].is_string());

  // Read-only: posting, replying, editing and reacting are 409, for an admin too and through a bridge.
  const auto events_before = f.count("events");
  for (const auto& who : {f.sam, f.admin}) {
    auto refused = f.say(who, "too late");
    CHECK(refused.status == 409);
    CHECK(refused.json()["error"]["message"].get<std::string>().find("archived") != std::string::npos);
  }
  CHECK(f.post(f.sam, f.channel, {{"body", "re"}, {"thread_root", kept}}).status == 409);
  CHECK(f.call(Method::patch, f.msg(kept), R"({"body":"rewritten"})", f.sam).status == 409);
  CHECK(f.call(Method::patch, f.msg(kept), R"({"body":"rewritten"})", f.mentor).status == 403);  // not theirs anyway
  CHECK(f.call(Method::post, f.msg(kept) + "/reactions", R"({"emoji":"👍"})", f.sam).status == 409);
  auto bridged_post = testing::run_coro(seam->post(f.channel, seam_write(ghost, "$after"), "bridged late"));
  REQUIRE_FALSE(bridged_post);
  CHECK(bridged_post.error().status == 409);
  const auto bridged_id = bridged->change.message["id"].get<std::int64_t>();
  CHECK_FALSE(testing::run_coro(seam->edit(bridged_id, seam_write(ghost, "$edit"), "changed")));
  CHECK(f.count("events") == events_before);

  // The history stays, for those who could read it; the list says archived.
  auto page = f.call(Method::get, f.msgs(f.channel), "", f.sam).json()["items"];
  REQUIRE(page.size() == 2);
  CHECK(page[0]["body"] == "before the archive");
  CHECK(f.call(Method::get, f.msgs(f.channel), "", f.lee).status == 404);
  bool listed = false;
  const json channels = f.call(Method::get, "/api/channels", "", f.sam).json();
  for (auto& ch : channels["items"])
    if (ch["id"] == f.channel) listed = ch["archived"] == true;
  CHECK(listed);

  // Renaming an archived channel, then bringing it back: each change is one channel.updated event.
  REQUIRE(f.call(Method::patch, path, R"({"name":"autumn-archive"})", f.mentor).status == 200);
  CHECK(f.call(Method::patch, path, R"({"name":"autumn-archive"})", f.mentor).status == 200);  // no change: no event
  REQUIRE(f.call(Method::patch, path, R"({"archived":false})", f.admin).status == 200);
  CHECK(f.say(f.sam, "back again").status == 201);
  REQUIRE(f.pump([&] { return peer->seqs().size() == 4; }));
  std::vector<json> updates;
  for (auto& fr : peer->frames())
    if (fr["type"] == "event" && fr["kind"] == "channel.updated") updates.push_back(fr);
  REQUIRE(updates.size() == 3);
  CHECK(updates[0]["channel"]["archived"] == true);
  CHECK(updates[0]["channel"]["name"] == "general");
  CHECK(updates[1]["channel"]["name"] == "autumn-archive");
  CHECK(updates[1]["channel"]["archived"] == true);
  CHECK(updates[2]["channel"]["archived"] == false);
  CHECK(updates[2]["channel"]["archived_at"].is_null());
  CHECK(updates[0]["origin"]["actor_id"] != updates[2]["origin"]["actor_id"]);  // the mentor, then the admin
  CHECK_FALSE(updates[0].contains("message"));
  CHECK(peer->frames().back()["kind"] == "message.posted");
  // The audit log has who archived and who brought it back.
  auto audited = f.hub->db().read_now([&](store::Connection& c) -> http::Result<std::int64_t> {
    auto s = c.prepare("SELECT count(*) FROM audit_log WHERE action IN ('channel.archive', 'channel.unarchive')");
    auto row = s.step();
    if (!row) return row.error();
    return s.int64(0);
  });
  REQUIRE(audited);
  CHECK(*audited == 2);
}
