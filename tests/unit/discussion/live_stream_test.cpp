#include <utility>

#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>

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

TEST_CASE("live: edits, deletes and reactions are events too; every subscriber shares one frame") {
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

TEST_CASE("live: bad subscribe requests get an error event and a 1008 close; others carry on") {
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

TEST_CASE("live: a second subscribe on one connection is refused; ping answers pong") {
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
