// Matrix bot mode against a scripted homeserver (FakeHttpClient) and a real database: the bot
// account sends for everyone, and its /sync loop applies what the rooms say.
#include <catch2/catch.hpp>

#include <deque>
#include <fstream>

#include "bridge/loop_guard.hpp"
#include "bridge/mappings.hpp"
#include "bridge/matrix/matrix_bridge.hpp"
#include "hub/auth/account_store.hpp"
#include "hub/config.hpp"
#include "hub/discussion/message_store.hpp"
#include "tests/unit/discussion/discussion_fixture.hpp"

using namespace hub;
using bridge::SendOutcome;
using bridge::matrix::SyncRound;
using discussion::Network;
using http::Method;
using nlohmann::json;

namespace {

constexpr const char* kBotRoom = "!bots:hs.test";
constexpr const char* kBotUser = "@bot:hs.test";
constexpr const char* kBotToken = "syt_bot_secret";

http::ClientResponse bot_answer(int status, const json& body) {
  http::ClientResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

json said_in_matrix(const std::string& id, const std::string& sender, const std::string& body) {
  return {{"type", "m.room.message"}, {"event_id", id}, {"sender", sender}, {"origin_server_ts", 1},
          {"content", {{"msgtype", "m.text"}, {"body", body}}}};
}

// One joined room's part of a /sync answer.
json sync_reply(const std::string& next_batch, json timeline, bool limited = false, json state = json::array(),
                const char* room_id = kBotRoom) {
  json room = {{"timeline", {{"events", std::move(timeline)}, {"limited", limited}, {"prev_batch", "p_gap"}}},
               {"state", {{"events", std::move(state)}}}};
  return {{"next_batch", next_batch}, {"rooms", {{"join", {{room_id, std::move(room)}}}}}};
}

// A hub in bot mode, its channel mapped to kBotRoom, and a homeserver whose /sync and /messages
// answers a test queues.
struct BotFixture : testing::DiscussionFixture {
  BotFixture() {
    std::ofstream(dir.path + "/bot.token") << kBotToken << "\n";
    restart();
    mapping = hub->db().write_now([&](store::Connection& c) {
      return bridge::add_mapping(c, channel, Network::matrix, kBotRoom, 1, clock.now());
    })->id;
    homeserver.answer = [this](const http::ClientRequest& r) {
      if (contains(r.url, "/filter")) return bot_answer(200, {{"filter_id", "7"}});
      if (contains(r.url, "/send/")) return bot_answer(200, {{"event_id", "$bot" + std::to_string(++sent)}});
      if (contains(r.url, "/sync?") || contains(r.url, "/messages?")) {
        auto& queue = contains(r.url, "/sync?") ? syncs : pages;
        REQUIRE_FALSE(queue.empty());
        auto next = queue.front();
        queue.pop_front();
        return next;
      }
      return bot_answer(200, json::object());
    };
  }
  // A new hub over the same data (a restart, or a crash: nothing is flushed on the way out).
  void restart() {
    hub.reset();
    std::map<std::string, std::string> env = {{"COHORTHUB_AUTH_SCRYPT_LOG2_N", "10"},
                                              {"COHORTHUB_TEST_INSECURE_SCRYPT", "1"},
                                              {"COHORTHUB_LOG_ACCESS", "false"},
                                              {"COHORTHUB_MATRIX_HOMESERVER_URL", "http://hs.test:8008"},
                                              {"COHORTHUB_MATRIX_MODE", "bot"},
                                              {"COHORTHUB_MATRIX_BOT_USER_ID", kBotUser},
                                              {"COHORTHUB_MATRIX_BOT_TOKEN_FILE", dir.path + "/bot.token"}};
    hub = std::make_unique<Hub>(load_config("", env), DataDir{dir.path + "/data"}, clock);
    hub->matrix()->attach(homeserver);
  }
  SyncRound sync() { return testing::run_coro(hub->matrix()->bot_sync()->sync_once()); }
  std::string cursor() {
    return *hub->db().read_now([](store::Connection& c) {
      return bridge::remote_cursor(c, Network::matrix, bridge::matrix::kNextBatchCursor);
    });
  }
  std::vector<std::string> bodies() {
    std::vector<std::string> out;
    const json page = call(Method::get, msgs(channel), "", admin).json();
    for (const auto& m : page["items"]) out.push_back(m["body"]);
    return out;
  }
  std::vector<http::ClientRequest> requests_to(const std::string& part) {
    std::vector<http::ClientRequest> out;
    for (auto& r : homeserver.requests())
      if (contains(r.url, part)) out.push_back(r);
    return out;
  }
  bridge::Outgoing outgoing(const std::string& kind, std::int64_t id, std::int64_t seq, json delta = nullptr) {
    bridge::Outgoing out;
    out.txn_id = "matrix:" + std::to_string(seq);
    out.event.seq = seq;
    out.event.kind = kind;
    out.event.message_id = id;
    out.event.channel_id = channel;
    out.event.origin = {0, Network::hub};
    out.event.payload = hub->db().read_now([&](store::Connection& c) { return discussion::message_json(c, id); })->dump();
    if (!delta.is_null()) out.event.delta = delta.dump();
    if (delta.is_object())  // as the relay counts them
      out.hub_reactions = hub->db().read_now([&](store::Connection& c) {
        return bridge::hub_reactions(c, json::parse(out.event.payload), Network::matrix);
      }).value();
    out.mapping = *hub->db().read_now([&](store::Connection& c) { return bridge::find_mapping(c, mapping); }).value();
    return out;
  }
  std::int64_t user_id_of(const std::string& handle) {
    return hub->db().read_now([&](store::Connection& c) { return auth::find_login(c, handle); }).value()->user_id;
  }
  SendOutcome send(bridge::Outgoing out) { return testing::run_coro(hub->matrix()->connector()->send(std::move(out))); }

  std::int64_t mapping = 0;
  int sent = 0;
  std::deque<http::ClientResponse> syncs, pages;
  http::FakeHttpClient homeserver;
};

}  // namespace

TEST_CASE("matrix bot mode: the bot sends for everyone as 'Display Name: text', edits, deletes and reactions too") {
  BotFixture f;
  const auto id = f.said(f.sam, "Hello **Matrix**");
  auto posted = f.send(f.outgoing("message.posted", id, 42));
  REQUIRE(posted.kind == SendOutcome::Kind::sent);
  CHECK(posted.remote_id == "$bot1");
  auto requests = f.homeserver.requests();
  REQUIRE(requests.size() == 1);  // no ghost to register or name
  CHECK(requests[0].url == "http://hs.test:8008/_matrix/client/v3/rooms/%21bots%3Ahs.test/send/m.room.message/matrix%3A42");
  CHECK(requests[0].headers.get("Authorization") == std::string("Bearer ") + kBotToken);
  json content = json::parse(requests[0].body);
  CHECK(content["body"] == "sam display: Hello **Matrix**");
  CHECK(content["format"] == "org.matrix.custom.html");
  CHECK(contains(content["formatted_body"], "<strong>sam display</strong>: "));
  CHECK(contains(content["formatted_body"], "<strong>Matrix</strong>"));
  CHECK(content[std::string(bridge::kProvenanceKey)]["seq"] == 42);

  REQUIRE(f.call(Method::patch, f.msg(id), R"({"body":"Hello again"})", f.sam).status == 200);
  auto edit = f.outgoing("message.edited", id, 43);
  edit.self = bridge::RemoteRef{kBotRoom, "$bot1"};
  REQUIRE(f.send(edit).kind == SendOutcome::Kind::sent);
  content = json::parse(f.homeserver.requests().back().body);
  CHECK(content["body"] == "* sam display: Hello again");
  CHECK(content["m.new_content"]["body"] == "sam display: Hello again");
  CHECK(content["m.relates_to"] == json{{"rel_type", "m.replace"}, {"event_id", "$bot1"}});

  auto del = f.outgoing("message.deleted", id, 44);
  del.self = bridge::RemoteRef{kBotRoom, "$bot1"};
  del.event.origin.actor_id = f.user_id_of("sam");
  REQUIRE(f.send(del).kind == SendOutcome::Kind::sent);
  CHECK(f.homeserver.requests().back().url ==
        "http://hs.test:8008/_matrix/client/v3/rooms/%21bots%3Ahs.test/redact/%24bot1/matrix%3A44");

  // One account can annotate an event once per key: the bot's reaction means "someone on the hub
  // reacted with this", and goes when nobody on the hub does.
  const auto liked = f.said(f.sam, "react to me");
  const auto target = f.send(f.outgoing("message.posted", liked, 1)).remote_id;  // $bot3 (the edit was $bot2)
  const std::string reactions = f.msg(liked) + "/reactions";
  auto react = [&](const std::string& who, const std::string& handle, std::int64_t seq, bool added) {
    const int status = added ? f.call(Method::post, reactions, R"({"emoji":":tada:"})", who).status
                             : f.call(Method::delete_, reactions + "/:tada:", "", who).status;
    REQUIRE(status / 100 == 2);
    const json delta = {{"handle", handle}, {"emoji", ":tada:"}, {"user_id", f.user_id_of(handle)}, {"added", added}};
    auto out = f.outgoing("message.reacted", liked, seq, delta);
    out.self = bridge::RemoteRef{kBotRoom, target};
    return f.send(out);
  };
  CHECK(react(f.sam, "sam", 2, true).kind == SendOutcome::Kind::sent);  // $bot4
  CHECK(react(f.mentor, "mia", 3, true).kind == SendOutcome::Kind::skipped);  // the bot shows it already
  const auto annotations = f.requests_to("/send/m.reaction/");
  REQUIRE(annotations.size() == 1);
  CHECK(json::parse(annotations[0].body)["m.relates_to"] ==
        json{{"rel_type", "m.annotation"}, {"event_id", target}, {"key", ":tada:"}});
  CHECK(react(f.sam, "sam", 4, false).kind == SendOutcome::Kind::skipped);  // mia still reacts
  CHECK(f.requests_to("/redact/%24bot4/").empty());
  CHECK(react(f.mentor, "mia", 5, false).kind == SendOutcome::Kind::sent);
  CHECK(f.requests_to("/redact/%24bot4/").size() == 1);
}

TEST_CASE("matrix bot sync: a filter for the mapped rooms, and next_batch stored only after its events are in") {
  BotFixture f;
  // The first sync takes the position only: what the room said before the bridge stays there.
  f.syncs.push_back(bot_answer(200, sync_reply("s1", {said_in_matrix("$old", "@bob:hs.test", "history")})));
  auto first = f.sync();
  REQUIRE(first.kind == SyncRound::Kind::synced);
  CHECK(first.events == 0);
  CHECK(f.cursor() == "s1");
  CHECK(f.bodies().empty());
  const auto joins = f.requests_to("/join");
  REQUIRE(joins.size() == 1);
  CHECK(joins[0].url == "http://hs.test:8008/_matrix/client/v3/rooms/%21bots%3Ahs.test/join");
  const auto filters = f.requests_to("/filter");
  REQUIRE(filters.size() == 1);
  CHECK(filters[0].url == "http://hs.test:8008/_matrix/client/v3/user/%40bot%3Ahs.test/filter");
  const json filter = json::parse(filters[0].body);
  CHECK(filter["room"]["rooms"] == json{kBotRoom});
  CHECK(filter["room"]["timeline"]["types"] == json{"m.room.message", "m.reaction", "m.room.redaction", "m.room.member"});
  CHECK(filter["room"]["state"]["lazy_load_members"] == true);
  CHECK(contains(f.requests_to("/sync?").back().url, "filter=7&timeout=30000"));

  json echo = said_in_matrix("$echo", kBotUser, "sam display: mine");
  echo["content"][std::string(bridge::kProvenanceKey)] = {{"seq", 1}};
  const json bob = {{"type", "m.room.member"}, {"event_id", "$m"}, {"sender", "@bob:hs.test"}, {"state_key", "@bob:hs.test"},
                    {"origin_server_ts", 1}, {"content", {{"membership", "join"}, {"displayname", "Bob B"}}}};
  const auto batch = bot_answer(200, sync_reply("s2", {said_in_matrix("$hi", "@bob:hs.test", "hi from bob"), echo}, false, {bob}));
  f.syncs.push_back(batch);
  auto second = f.sync();
  REQUIRE(second.kind == SyncRound::Kind::synced);
  CHECK(second.events == 3);
  CHECK(contains(f.requests_to("/sync?").back().url, "&since=s1"));
  CHECK(f.bodies() == std::vector<std::string>{"hi from bob"});  // the bot's own echo skipped
  const auto items = f.call(Method::get, f.msgs(f.channel), "", f.admin).json()["items"];
  CHECK(items[0]["author"]["display_name"] == "Bob B");
  CHECK(f.cursor() == "s2");
  CHECK(f.requests_to("/filter").size() == 1);  // the same rooms: the same filter

  // A crash after the events were written but before next_batch was: the batch comes again, and
  // is applied once.
  f.hub->db().write_now([](store::Connection& c) {
    return bridge::set_remote_cursor(c, Network::matrix, bridge::matrix::kNextBatchCursor, "s1");
  });
  f.restart();
  f.syncs.push_back(batch);
  REQUIRE(f.sync().kind == SyncRound::Kind::synced);
  CHECK(contains(f.requests_to("/sync?").back().url, "&since=s1"));
  CHECK(f.bodies() == std::vector<std::string>{"hi from bob"});
  CHECK(f.cursor() == "s2");
}

TEST_CASE("matrix bot sync: a limited timeline is gap-filled oldest first, and a new room starts at the bot's join") {
  BotFixture f;
  f.syncs.push_back(bot_answer(200, sync_reply("s1", json::array())));
  REQUIRE(f.sync().kind == SyncRound::Kind::synced);
  auto m = [](int n) { return said_in_matrix("$e" + std::to_string(n), "@bob:hs.test", "m" + std::to_string(n)); };
  f.syncs.push_back(bot_answer(200, sync_reply("s9", {m(6), m(7)}, true)));
  f.pages.push_back(bot_answer(200, {{"start", "p_gap"}, {"end", "p_more"}, {"chunk", {m(5), m(4)}}}));
  f.pages.push_back(bot_answer(200, {{"start", "p_more"}, {"chunk", {m(3)}}}));
  auto round = f.sync();
  REQUIRE(round.kind == SyncRound::Kind::synced);
  CHECK(round.events == 5);
  CHECK(f.bodies() == std::vector<std::string>{"m3", "m4", "m5", "m6", "m7"});
  const auto pages = f.requests_to("/messages?");
  REQUIRE(pages.size() == 2);
  CHECK(contains(pages[0].url, "/rooms/%21bots%3Ahs.test/messages?dir=b&limit=100&from=p_gap&to=s1&filter="));
  CHECK(contains(pages[1].url, "&from=p_more&to=s1&"));
  CHECK(f.cursor() == "s9");

  // A gap that cannot be read is not skipped: the round fails and the same sync is made again.
  f.syncs.push_back(bot_answer(200, sync_reply("s12", {m(11)}, true)));
  f.pages.push_back(bot_answer(502, json::object()));
  CHECK(f.sync().kind == SyncRound::Kind::retry);
  CHECK(f.cursor() == "s9");
  CHECK(f.bodies().size() == 5);
  f.syncs.push_back(bot_answer(200, sync_reply("s12", {m(11)})));
  REQUIRE(f.sync().kind == SyncRound::Kind::synced);

  // A newly mapped room: a new filter, a join, and only what follows the bot's join is applied.
  const char* kNewRoom = "!new:hs.test";
  f.hub->db().write_now([&](store::Connection& c) {
    return bridge::add_mapping(c, f.lobby, Network::matrix, kNewRoom, 1, f.clock.now());
  });
  f.hub->matrix()->poke();
  const json join = {{"type", "m.room.member"}, {"event_id", "$join"}, {"sender", kBotUser}, {"state_key", kBotUser},
                     {"origin_server_ts", 1}, {"content", {{"membership", "join"}}}};
  f.syncs.push_back(bot_answer(200, sync_reply("s20", {said_in_matrix("$before", "@bob:hs.test", "before"), join,
                                                      said_in_matrix("$after", "@bob:hs.test", "after")},
                                               false, json::array(), kNewRoom)));
  REQUIRE(f.sync().kind == SyncRound::Kind::synced);
  const auto joins = f.requests_to("/join");
  REQUIRE(joins.size() == 2);
  CHECK(contains(joins[1].url, "/rooms/%21new%3Ahs.test/join"));
  const auto filters = f.requests_to("/filter");
  REQUIRE(filters.size() == 2);
  CHECK(json::parse(filters[1].body)["room"]["rooms"] == json{kBotRoom, kNewRoom});  // sorted
  const auto items = f.call(Method::get, f.msgs(f.lobby), "", f.admin).json()["items"];
  REQUIRE(items.size() == 1);
  CHECK(items[0]["body"] == "after");
}

TEST_CASE("matrix bot sync: the bot kicked shows on the mapping and parks the room's sends, and an invite brings it back") {
  BotFixture f;
  f.syncs.push_back(bot_answer(200, sync_reply("s1", json::array())));
  REQUIRE(f.sync().kind == SyncRound::Kind::synced);
  auto mapping_status = [&f] {
    const auto listed = f.call(Method::get, "/api/bridge/mappings", "", f.admin).json();
    return listed["items"][0]["status"].get<std::string>();
  };
  const auto id = f.said(f.sam, "while out");

  // Not in the room (not joined yet, or not told of a kick yet): retried, and the bot does not
  // walk into the room by itself.
  auto normal = f.homeserver.answer;
  f.homeserver.answer = [&normal](const http::ClientRequest& r) {
    if (contains(r.url, "/send/")) return bot_answer(403, {{"errcode", "M_FORBIDDEN"}, {"error", "not in the room"}});
    return normal(r);
  };
  const auto refused = f.send(f.outgoing("message.posted", id, 50));
  CHECK(refused.kind == SendOutcome::Kind::retry);
  CHECK(contains(refused.error, "the bot is not in the room"));
  CHECK(f.requests_to("/join").size() == 1);  // the first sync's only
  f.homeserver.answer = normal;

  const json kick = {{"type", "m.room.member"}, {"event_id", "$kick"}, {"sender", "@bob:hs.test"}, {"state_key", kBotUser},
                     {"origin_server_ts", 1}, {"content", {{"membership", "leave"}, {"reason", "spam"}}}};
  json left = {{"timeline", {{"events", {kick}}}}};
  f.syncs.push_back(bot_answer(200, {{"next_batch", "s2"}, {"rooms", {{"leave", {{kBotRoom, left}}}}}}));
  REQUIRE(f.sync().kind == SyncRound::Kind::synced);
  const std::string why = mapping_status();
  CHECK(why == "the bot was removed from the room by @bob:hs.test (\"spam\"): invite it back: its parked messages then go out");
  const auto calls = f.homeserver.requests().size();
  auto parked = f.send(f.outgoing("message.posted", id, 50));
  CHECK(parked.kind == SendOutcome::Kind::failed);  // parked at once
  CHECK(parked.error == why);
  CHECK(f.homeserver.requests().size() == calls);  // without a call

  // A restart remembers it: no join at start-up, and sends still park.
  f.restart();
  f.syncs.push_back(bot_answer(200, {{"next_batch", "s3"}, {"rooms", json::object()}}));
  REQUIRE(f.sync().kind == SyncRound::Kind::synced);
  CHECK(f.requests_to("/join").size() == 1);
  CHECK(f.send(f.outgoing("message.posted", id, 50)).kind == SendOutcome::Kind::failed);

  // Invited back: it joins, the status clears, sends go through, and what the room said while the
  // bot was out (before its new join) is not imported.
  json invite = {{"invite_state", {{"events", json::array()}}}};
  f.syncs.push_back(bot_answer(200, {{"next_batch", "s4"}, {"rooms", {{"invite", {{kBotRoom, invite}}}}}}));
  REQUIRE(f.sync().kind == SyncRound::Kind::synced);
  CHECK(f.requests_to("/join").size() == 2);
  CHECK(mapping_status().empty());
  CHECK(f.send(f.outgoing("message.posted", id, 50)).kind == SendOutcome::Kind::sent);
  const json join = {{"type", "m.room.member"}, {"event_id", "$rejoin"}, {"sender", kBotUser}, {"state_key", kBotUser},
                     {"origin_server_ts", 1}, {"content", {{"membership", "join"}}}};
  f.syncs.push_back(bot_answer(200, sync_reply("s5", {said_in_matrix("$out", "@bob:hs.test", "said while out"), join,
                                                     said_in_matrix("$back", "@bob:hs.test", "after the rejoin")})));
  REQUIRE(f.sync().kind == SyncRound::Kind::synced);
  CHECK(f.bodies() == std::vector<std::string>{"while out", "after the rejoin"});
}

TEST_CASE("matrix bot sync: 429 waits retry_after_ms, 5xx backs off, 401 stops the loop and shows on the mapping") {
  BotFixture f;
  f.syncs.push_back(bot_answer(429, {{"errcode", "M_LIMIT_EXCEEDED"}, {"error", "slow"}, {"retry_after_ms", 1200}}));
  auto limited = f.sync();
  CHECK(limited.kind == SyncRound::Kind::retry);
  CHECK(limited.wait == std::chrono::milliseconds(1200));
  f.syncs.push_back(bot_answer(502, json::object()));
  f.syncs.push_back(bot_answer(500, json::object()));
  const auto w1 = f.sync().wait, w2 = f.sync().wait;
  CHECK(w1 < w2);  // doubling
  CHECK(w2 <= std::chrono::seconds(60));
  CHECK(f.cursor().empty());

  f.syncs.push_back(bot_answer(401, {{"errcode", "M_UNKNOWN_TOKEN"}, {"error", "Unknown access token"}, {"soft_logout", false}}));
  auto refused = f.sync();
  CHECK(refused.kind == SyncRound::Kind::halted);
  CHECK(f.hub->matrix()->bot_sync()->halted());
  CHECK_FALSE(contains(refused.error, kBotToken));
  const auto status = f.call(Method::get, "/api/bridge/mappings/" + std::to_string(f.mapping) + "/status", "", f.admin);
  REQUIRE(status.status == 200);
  CHECK(contains(status.body, "M_UNKNOWN_TOKEN"));
}

TEST_CASE("matrix bot mode: the config needs the bot's user id and a readable token file") {
  testing::TempDir dir;
  auto options = [&](std::map<std::string, std::string> extra) {
    std::map<std::string, std::string> env = {{"COHORTHUB_MATRIX_HOMESERVER_URL", "http://hs.test"},
                                              {"COHORTHUB_MATRIX_MODE", "bot"},
                                              {"COHORTHUB_AUTH_SCRYPT_LOG2_N", "10"},
                                              {"COHORTHUB_TEST_INSECURE_SCRYPT", "1"}};
    for (auto& [k, v] : extra) env[k] = v;
    return matrix_options_from(load_config("", env), DataDir{dir.path});
  };
  CHECK_THROWS_WITH(options({{"COHORTHUB_MATRIX_BOT_USER_ID", "bot"}}), Catch::Contains("bot_user_id"));
  CHECK_THROWS_WITH(options({{"COHORTHUB_MATRIX_BOT_USER_ID", kBotUser}}), Catch::Contains("bot_token_file"));
  CHECK_THROWS_WITH(options({{"COHORTHUB_MATRIX_BOT_USER_ID", kBotUser}, {"COHORTHUB_MATRIX_BOT_TOKEN_FILE", dir.path + "/none"}}),
                    Catch::Contains("cannot read"));
  std::ofstream(dir.path + "/t") << kBotToken << "\r\n";
  auto o = options({{"COHORTHUB_MATRIX_BOT_USER_ID", kBotUser}, {"COHORTHUB_MATRIX_BOT_TOKEN_FILE", dir.path + "/t"}});
  REQUIRE(o);
  CHECK(o->bot());
  CHECK(o->as_token == kBotToken);
  CHECK(o->bot_user_id() == kBotUser);
  CHECK(o->users.server == "hs.test");
  CHECK(o->own_identities().ghost_prefix.empty());  // no ghosts: a Matrix user named @cohorthub_x is a person
}
