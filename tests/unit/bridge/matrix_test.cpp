// The Matrix connector against a scripted homeserver (FakeHttpClient), and the appservice routes
// against a whole hub, both over a real database.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include "bridge/id_map.hpp"
#include "bridge/loop_guard.hpp"
#include "bridge/mappings.hpp"
#include "bridge/matrix/matrix_bridge.hpp"
#include "bridge/matrix/matrix_store.hpp"
#include "bridge/matrix/registration.hpp"
#include "hub/auth/account_store.hpp"
#include "hub/config.hpp"
#include "hub/discussion/message_store.hpp"
#include "tests/unit/discussion/discussion_fixture.hpp"

using namespace hub;
using bridge::SendOutcome;
using bridge::matrix::MatrixConnector;
using discussion::Network;
using http::Method;
using nlohmann::json;

namespace {

constexpr const char* kRoom = "!room:hs.test";

http::ClientResponse answer(int status, const json& body, std::string retry_after = "") {
  http::ClientResponse r;
  r.status = status;
  r.body = body.dump();
  if (!retry_after.empty()) r.headers.set("Retry-After", retry_after);
  return r;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A hub with [matrix] configured, its channel mapped to kRoom, and a scripted homeserver.
struct MatrixFixture : testing::DiscussionFixture {
  MatrixFixture() {
    const DataDir data{dir.path + "/data"};
    tokens = bridge::matrix::load_or_create_tokens(data.keys());
    hub.reset();  // again, now with the bridge
    hub = std::make_unique<Hub>(load_config("", environment()), data, clock);
    mapping = hub->db().write_now([&](store::Connection& c) {
      return bridge::add_mapping(c, channel, Network::matrix, kRoom, 1, clock.now());
    })->id;
    // By default the homeserver accepts everything, and gives each sent event an id.
    homeserver.answer = [this](const http::ClientRequest& r) {
      if (has(r.url, "/send/")) return answer(200, {{"event_id", "$sent" + std::to_string(++events)}});
      if (has(r.url, "/messages?")) return answer(200, {{"chunk", room_messages}, {"start", "t0"}});
      return answer(200, json::object());
    };
  }
  static std::map<std::string, std::string> environment() {
    return {{"COHORTHUB_AUTH_SCRYPT_LOG2_N", "10"},
            {"COHORTHUB_TEST_INSECURE_SCRYPT", "1"},
            {"COHORTHUB_LOG_ACCESS", "false"},
            {"COHORTHUB_MATRIX_HOMESERVER_URL", "http://hs.test:8008/"},
            {"COHORTHUB_MATRIX_SERVER_NAME", "hs.test"}};
  }
  MatrixConnector& connector() {
    if (!connector_) connector_ = std::make_unique<MatrixConnector>(hub->db(), homeserver, hub->matrix()->options());
    return *connector_;
  }
  // The Outgoing the relay would hand over for `kind` of message `id` (as `actor`).
  bridge::Outgoing outgoing(const std::string& kind, std::int64_t id, std::int64_t seq, std::int64_t actor = 0) {
    bridge::Outgoing out;
    out.txn_id = "matrix:" + std::to_string(seq);
    out.event.seq = seq;
    out.event.kind = kind;
    out.event.message_id = id;
    out.event.channel_id = channel;
    out.event.origin = {actor, Network::hub};
    out.event.payload = message_of(id).dump();
    out.mapping = *hub->db().read_now([&](store::Connection& c) { return bridge::find_mapping(c, mapping); }).value();
    return out;
  }
  SendOutcome send(bridge::Outgoing out) { return testing::run_coro(connector().send(std::move(out))); }
  json body_of(std::size_t i) { return json::parse(homeserver.requests().at(i).body); }
  std::string url_of(std::size_t i) { return homeserver.requests().at(i).url; }

  // A transaction pushed by the homeserver.
  testing::Reply push(const std::string& txn, const json& events, const std::string& token = "") {
    return bearer(Method::put, "/_matrix/app/v1/transactions/" + txn, token.empty() ? tokens.hs_token : token,
                  json{{"events", events}}.dump());
  }
  static json message(const std::string& id, const std::string& sender, json content, const char* room = kRoom) {
    return {{"type", "m.room.message"}, {"event_id", id},       {"room_id", room},
            {"sender", sender},         {"origin_server_ts", 1}, {"content", std::move(content)}};
  }
  static json text(const std::string& body) { return {{"msgtype", "m.text"}, {"body", body}}; }
  json message_of(std::int64_t id) {
    return hub->db().read_now([&](store::Connection& c) { return discussion::message_json(c, id); }).value();
  }
  json channel_messages() { return call(Method::get, msgs(channel), "", admin).json()["items"]; }
  std::int64_t user_id_of(const std::string& handle) {
    return hub->db().read_now([&](store::Connection& c) { return auth::find_login(c, handle); }).value()->user_id;
  }

  bridge::matrix::AppserviceTokens tokens;
  json room_messages = json::array();  // what GET /messages answers (one page, newest first)
  std::int64_t mapping = 0;
  int events = 0;
  http::FakeHttpClient homeserver;
  std::unique_ptr<MatrixConnector> connector_;
};

}  // namespace

TEST_CASE("matrix connector: a hub message goes out as its author's ghost, registered and named once") {
  MatrixFixture f;
  const auto id = f.said(f.sam, "Hello **Matrix**, ping @mia");
  auto out = f.outgoing("message.posted", id, 42, f.user_id_of("sam"));
  out.txn_id = "matrix:42.5eed5eed5eed5eed";  // bridge::txn_of: the outbox id and the event's nonce
  auto sent = f.send(out);
  REQUIRE(sent.kind == SendOutcome::Kind::sent);
  CHECK(sent.remote_id == "$sent1");
  auto requests = f.homeserver.requests();
  REQUIRE(requests.size() == 3);
  CHECK(requests[0].url == "http://hs.test:8008/_matrix/client/v3/register");
  CHECK(requests[0].headers.get("Authorization") == "Bearer " + f.tokens.as_token);
  CHECK(f.body_of(0) == json{{"type", "m.login.application_service"}, {"username", "cohorthub_sam"}, {"inhibit_login", true}});
  CHECK(requests[1].method == Method::put);
  CHECK(requests[1].url ==
        "http://hs.test:8008/_matrix/client/v3/profile/%40cohorthub_sam%3Ahs.test/displayname?user_id=%40cohorthub_sam%3Ahs.test");
  CHECK(f.body_of(1) == json{{"displayname", "sam display"}});
  CHECK(requests[2].url ==
        "http://hs.test:8008/_matrix/client/v3/rooms/%21room%3Ahs.test/send/m.room.message/matrix%3A42.5eed5eed5eed5eed?user_id=%40cohorthub_sam%3Ahs.test");
  const json content = f.body_of(2);
  CHECK(content["msgtype"] == "m.text");
  CHECK(content["body"] == "Hello **Matrix**, ping @mia");
  CHECK(content["format"] == "org.matrix.custom.html");
  CHECK(has(content["formatted_body"], "<strong>Matrix</strong>"));
  CHECK(content["m.mentions"]["user_ids"] == json{"@cohorthub_mia:hs.test"});
  CHECK(content[std::string(bridge::kProvenanceKey)] == json{{"txn", out.txn_id}});
  CHECK_FALSE(content.contains("m.relates_to"));
  // A resend (the relay retrying) uses the same txnId; the ghost is not registered again.
  REQUIRE(f.send(out).kind == SendOutcome::Kind::sent);
  requests = f.homeserver.requests();
  REQUIRE(requests.size() == 4);
  CHECK(requests[3].url == requests[2].url);

  // A resend that may repeat an earlier try looks for it in the room first, by its provenance
  // among the ghost's newest messages: the homeserver forgets txnIds after a while.
  auto again = out;
  again.maybe_sent = true;
  CHECK(f.send(again).remote_id == "$sent3");  // not in the room: sent
  requests = f.homeserver.requests();
  REQUIRE(requests.size() == 6);
  CHECK(requests[4].method == Method::get);
  CHECK(has(requests[4].url, "/rooms/%21room%3Ahs.test/messages?dir=b&limit=100&filter="));
  CHECK(has(requests[4].url, "user_id=%40cohorthub_sam%3Ahs.test"));
  CHECK(has(requests[4].url, http::percent_encode(R"({"senders":["@cohorthub_sam:hs.test"],"types":["m.room.message"]})")));
  f.room_messages = json::array({f.message("$other", "@cohorthub_sam:hs.test", {{"body", "x"}, {bridge::kProvenanceKey, {{"txn", "matrix:41.5eed5eed5eed5eed"}}}}),
                                 f.message("$first", "@cohorthub_sam:hs.test", {{"body", "y"}, {bridge::kProvenanceKey, {{"txn", out.txn_id}}}})});
  auto found = f.send(again);
  CHECK(found.kind == SendOutcome::Kind::sent);
  CHECK(found.remote_id == "$first");
  CHECK(f.homeserver.requests().size() == 7);  // the look-up, and no PUT
  // A look-up refused is classified as a send would be: a 429 waits the homeserver's time.
  auto normal = f.homeserver.answer;
  f.homeserver.answer = [&normal](const http::ClientRequest& r) {
    if (has(r.url, "/messages?")) return answer(429, {{"errcode", "M_LIMIT_EXCEEDED"}, {"retry_after_ms", 1500}});
    return normal(r);
  };
  auto limited = f.send(again);
  CHECK(limited.kind == SendOutcome::Kind::retry);
  CHECK(limited.retry_after_ms == 1500);
  f.homeserver.answer = normal;
  CHECK(f.homeserver.requests().size() == 8);

  // Deleted on the hub before a resend: the deleted text is never sent; the earlier try is found
  // by its provenance, or else the same PUT (same txnId, same ghost) finds it while the
  // homeserver remembers the txnId, and its id is then mapped so the delete reaches it.
  REQUIRE(f.call(Method::delete_, f.msg(id), "", f.sam).status / 100 == 2);
  auto gone = f.outgoing("message.posted", id, 42, f.user_id_of("sam"));
  gone.txn_id = out.txn_id;
  CHECK(f.send(gone).kind == SendOutcome::Kind::skipped);  // not a resend: nothing to find
  gone.maybe_sent = gone.lookup_only = true;
  CHECK(f.send(gone).remote_id == "$first");
  f.room_messages = json::array();
  found = f.send(gone);
  CHECK(found.kind == SendOutcome::Kind::sent);
  CHECK(found.remote_id == "$sent4");  // this fake numbers each PUT; a homeserver answers the first event again
  requests = f.homeserver.requests();
  REQUIRE(requests.size() == 11);
  CHECK(requests[9].method == Method::get);
  CHECK(requests[10].url == requests[2].url);
  CHECK(f.body_of(10)["body"] == "(deleted)");
  CHECK_FALSE(has(requests[10].body, "Hello"));
}

TEST_CASE("matrix connector: an earlier try is found by its row's txn, not by its seq, which a restore gives out again") {
  MatrixFixture f;
  const auto id = f.said(f.sam, "said after a restore");
  auto out = f.outgoing("message.posted", id, 7, f.user_id_of("sam"));
  out.txn_id = "matrix:7.00000000000000b2";
  out.maybe_sent = true;  // the first send in the channel since the start
  // In the room: the message that had seq 7 before the backup was restored, sent with a txn and,
  // older, one from before migration 16, with its seq. Neither is this message.
  f.room_messages = json::array({f.message("$lost", "@cohorthub_sam:hs.test", {{"body", "lost"}, {bridge::kProvenanceKey, {{"txn", "matrix:7.00000000000000a1"}}}}),
                                 f.message("$older", "@cohorthub_sam:hs.test", {{"body", "old"}, {bridge::kProvenanceKey, {{"seq", 7}}}})});
  auto sent = f.send(out);
  CHECK(sent.kind == SendOutcome::Kind::sent);
  CHECK(sent.remote_id == "$sent1");  // posted, not taken for $lost or $older
  CHECK(f.body_of(f.homeserver.requests().size() - 1)[std::string(bridge::kProvenanceKey)] == json{{"txn", out.txn_id}});
  // A row written before migration 16 is sent under its id, with its seq, as it was then, and its
  // look-up finds its own earlier try.
  auto legacy = f.outgoing("message.posted", id, 7, f.user_id_of("sam"));
  legacy.maybe_sent = true;
  CHECK(legacy.txn_id == "matrix:7");
  CHECK(f.send(legacy).remote_id == "$older");
}

TEST_CASE("matrix connector: a hub member's new display name reaches their ghost with their next message") {
  MatrixFixture f;
  REQUIRE(f.send(f.outgoing("message.posted", f.said(f.sam, "one"), 1)).kind == SendOutcome::Kind::sent);
  REQUIRE(f.send(f.outgoing("message.posted", f.said(f.sam, "two"), 2)).kind == SendOutcome::Kind::sent);
  auto names = [&] {
    std::vector<json> out;
    for (const auto& r : f.homeserver.requests())
      if (has(r.url, "/displayname")) out.push_back(json::parse(r.body));
    return out;
  };
  CHECK(names() == std::vector<json>{{{"displayname", "sam display"}}});  // set once, not per message
  // The hub has no rename route yet; the name changes in the store (as an admin's fix would).
  f.hub->db().write_now([&](store::Connection& c) {
    auto s = c.prepare("UPDATE users SET display_name = 'Sam Renamed' WHERE id = ?1");
    s.bind(1, f.user_id_of("sam"));
    return s.run();
  });
  REQUIRE(f.send(f.outgoing("message.posted", f.said(f.sam, "three"), 3)).kind == SendOutcome::Kind::sent);
  CHECK(names() == std::vector<json>{{{"displayname", "sam display"}}, {{"displayname", "Sam Renamed"}}});
  CHECK(has(f.homeserver.requests().back().url, "/send/m.room.message/matrix%3A3"));
}

TEST_CASE("matrix connector: a ghost already registered is fine, and one not in the room joins and retries") {
  MatrixFixture f;
  bool joined = false;
  f.homeserver.answer = [&](const http::ClientRequest& r) {
    if (has(r.url, "/register")) return answer(400, {{"errcode", "M_USER_IN_USE"}, {"error", "taken"}});
    if (has(r.url, "/join")) {
      joined = true;
      return answer(200, {{"room_id", kRoom}});
    }
    if (has(r.url, "/send/") && !joined) return answer(403, {{"errcode", "M_FORBIDDEN"}, {"error", "not in room"}});
    if (has(r.url, "/send/")) return answer(200, {{"event_id", "$after_join"}});
    return answer(200, json::object());
  };
  const auto id = f.said(f.sam, "knock knock");
  auto sent = f.send(f.outgoing("message.posted", id, 7));
  REQUIRE(sent.kind == SendOutcome::Kind::sent);
  CHECK(sent.remote_id == "$after_join");
  auto requests = f.homeserver.requests();
  REQUIRE(requests.size() == 5);  // register, display name, send (403), join, send
  CHECK(requests[3].url == "http://hs.test:8008/_matrix/client/v3/rooms/%21room%3Ahs.test/join?user_id=%40cohorthub_sam%3Ahs.test");
  CHECK(requests[4].url == requests[2].url);
}

TEST_CASE("matrix connector: 429 and 5xx are retried with the homeserver's wait, other 4xx fail with the errcode") {
  MatrixFixture f;
  const auto id = f.said(f.sam, "under pressure");
  auto out = f.outgoing("message.posted", id, 9);
  http::ClientResponse next;
  f.homeserver.answer = [&](const http::ClientRequest& r) {
    return has(r.url, "/send/") ? next : answer(200, json::object());
  };
  next = answer(429, {{"errcode", "M_LIMIT_EXCEEDED"}, {"error", "slow down"}, {"retry_after_ms", 2500}});
  auto limited = f.send(out);
  CHECK(limited.kind == SendOutcome::Kind::retry);
  CHECK(limited.retry_after_s == 3);
  CHECK(limited.retry_after_ms == 2500);  // the exact wait too, for waits under a second
  CHECK(has(limited.error, "M_LIMIT_EXCEEDED"));
  next = answer(429, {{"errcode", "M_LIMIT_EXCEEDED"}}, "7");
  const auto by_header = f.send(out);
  CHECK(by_header.retry_after_s == 7);
  CHECK_FALSE(by_header.retry_after_ms);
  next = answer(502, json::object());
  auto bad_gateway = f.send(out);
  CHECK(bad_gateway.kind == SendOutcome::Kind::retry);
  CHECK_FALSE(bad_gateway.retry_after_s);
  next = http::ClientResponse{};
  next.error = http::ClientError::connect;
  CHECK(f.send(out).kind == SendOutcome::Kind::retry);
  next = answer(400, {{"errcode", "M_BAD_JSON"}, {"error", "no"}});
  auto refused = f.send(out);
  CHECK(refused.kind == SendOutcome::Kind::failed);
  CHECK(has(refused.error, "HTTP 400 M_BAD_JSON"));
  CHECK_FALSE(has(refused.error, f.tokens.as_token));
  // A failed registration stops the send before it reaches the room.
  MatrixFixture g;
  g.homeserver.answer = [](const http::ClientRequest&) { return answer(500, json::object()); };
  const auto other = g.said(g.sam, "x");
  CHECK(g.send(g.outgoing("message.posted", other, 1)).kind == SendOutcome::Kind::retry);
  CHECK(g.homeserver.requests().size() == 1);
}

TEST_CASE("matrix connector: edits, deletes, replies, threads and reactions use Matrix's relations") {
  MatrixFixture f;
  const auto sam = f.user_id_of("sam");
  const auto root = f.said(f.sam, "root");
  const bridge::RemoteRef root_ref{kRoom, "$root"};

  SECTION("an edit replaces with m.new_content") {
    REQUIRE(f.call(Method::patch, f.msg(root), R"({"body":"root, edited"})", f.sam).status == 200);
    auto out = f.outgoing("message.edited", root, 11, sam);
    CHECK(f.send(out).kind == SendOutcome::Kind::skipped);  // Matrix never had it
    out.self = root_ref;
    auto sent = f.send(out);
    REQUIRE(sent.kind == SendOutcome::Kind::sent);
    CHECK(sent.remote_id.empty());  // an edit is no new message
    const json c = f.body_of(f.homeserver.requests().size() - 1);
    CHECK(c["body"] == "* root, edited");
    CHECK(c["m.new_content"]["body"] == "root, edited");
    CHECK_FALSE(c["m.new_content"].contains(std::string(bridge::kProvenanceKey)));
    CHECK(c["m.relates_to"] == json{{"rel_type", "m.replace"}, {"event_id", "$root"}});
  }
  SECTION("a delete by its author is the author's redaction; by a moderator, the appservice's") {
    auto out = f.outgoing("message.deleted", root, 12, sam);
    out.self = root_ref;
    REQUIRE(f.send(out).kind == SendOutcome::Kind::sent);
    CHECK(f.url_of(0) ==
          "http://hs.test:8008/_matrix/client/v3/rooms/%21room%3Ahs.test/redact/%24root/matrix%3A12?user_id=%40cohorthub_sam%3Ahs.test");
    out.event.origin.actor_id = f.user_id_of("ada");
    out.txn_id = "matrix:13";
    REQUIRE(f.send(out).kind == SendOutcome::Kind::sent);
    CHECK(has(f.url_of(1), "?user_id=%40cohorthub%3Ahs.test"));
  }
  SECTION("a reply and a thread reply") {
    auto reply = f.post(f.sam, f.channel, {{"body", "answer"}, {"reply_to", root}}).json()["message"]["id"].get<std::int64_t>();
    auto out = f.outgoing("message.posted", reply, 14, sam);
    out.reply_to = root_ref;
    REQUIRE(f.send(out).kind == SendOutcome::Kind::sent);
    CHECK(f.body_of(2)["m.relates_to"] == json{{"m.in_reply_to", {{"event_id", "$root"}}}});
    auto in_thread = f.post(f.sam, f.channel, {{"body", "threaded"}, {"thread_root", root}}).json()["message"]["id"].get<std::int64_t>();
    out = f.outgoing("message.posted", in_thread, 15, sam);
    out.thread_root = root_ref;
    REQUIRE(f.send(out).kind == SendOutcome::Kind::sent);
    CHECK(f.body_of(3)["m.relates_to"] == json{{"rel_type", "m.thread"},
                                                {"event_id", "$root"},
                                                {"is_falling_back", true},
                                                {"m.in_reply_to", {{"event_id", "$root"}}}});
  }
  SECTION("a reaction is an annotation, and taking it back redacts that annotation") {
    REQUIRE(f.call(Method::post, f.msg(root) + "/reactions", R"({"emoji":"🎉"})", f.sam).status < 300);
    auto out = f.outgoing("message.reacted", root, 16, sam);
    out.self = root_ref;
    out.event.delta = json{{"user_id", sam}, {"handle", "sam"}, {"emoji", "🎉"}, {"added", true}}.dump();
    REQUIRE(f.send(out).kind == SendOutcome::Kind::sent);
    const auto n = f.homeserver.requests().size();
    CHECK(has(f.url_of(n - 1), "/send/m.reaction/matrix%3A16?user_id=%40cohorthub_sam%3Ahs.test"));
    CHECK(f.body_of(n - 1)["m.relates_to"] == json{{"rel_type", "m.annotation"}, {"event_id", "$root"}, {"key", "🎉"}});
    CHECK(f.count("matrix_reactions") == 1);
    out.txn_id = "matrix:17";
    out.event.delta = json{{"user_id", sam}, {"handle", "sam"}, {"emoji", "🎉"}, {"added", false}}.dump();
    REQUIRE(f.send(out).kind == SendOutcome::Kind::sent);
    CHECK(has(f.url_of(n), "/redact/%24sent1/matrix%3A17"));
    CHECK(f.count("matrix_reactions") == 0);
    // Taking back a reaction Matrix never had sends nothing.
    out.txn_id = "matrix:18";
    CHECK(f.send(out).kind == SendOutcome::Kind::skipped);
    CHECK(f.homeserver.requests().size() == n + 1);
  }
  SECTION("a thread's reply count is no Matrix event") {
    CHECK(f.send(f.outgoing("message.replied", root, 19)).kind == SendOutcome::Kind::skipped);
    CHECK(f.homeserver.requests().empty());
  }
}

TEST_CASE("matrix appservice: only the homeserver's hs_token is let in") {
  MatrixFixture f;
  const json one = json::array({MatrixFixture::message("$a", "@bob:hs.test", MatrixFixture::text("hi"))});
  auto wrong = f.push("t1", one, "not-the-token");
  CHECK(wrong.status == 403);
  CHECK(wrong.json()["errcode"] == "M_FORBIDDEN");
  auto as_token = f.push("t1", one, f.tokens.as_token);  // the other token is no better
  CHECK(as_token.status == 403);
  auto missing = f.call(Method::put, "/_matrix/app/v1/transactions/t1", json{{"events", one}}.dump());
  CHECK(missing.status == 401);
  CHECK(missing.json()["errcode"] == "M_UNAUTHORIZED");
  auto with_cookie = f.call(Method::put, "/_matrix/app/v1/transactions/t1", json{{"events", one}}.dump(), f.admin);
  CHECK(with_cookie.status == 401);  // a session is no credential here
  CHECK(f.channel_messages().empty());
  CHECK(f.call(Method::get, "/_matrix/app/v1/users/@cohorthub_sam:hs.test").status == 401);
  // The ping the homeserver makes when the hub asks it to (MatrixBridge at start-up).
  CHECK(f.bearer(Method::post, "/_matrix/app/v1/ping", f.tokens.hs_token, R"({"transaction_id":"t"})").json() == json::object());
  CHECK(f.bearer(Method::post, "/_matrix/app/v1/ping", "not-the-token", "{}").status == 403);
  CHECK(f.call(Method::post, "/_matrix/app/v1/ping", "{}", f.admin).status == 401);
  // A hub without [matrix] has the routes (the API is fixed) but no token that opens them.
  testing::HubFixture plain;
  CHECK(plain.bearer(Method::put, "/_matrix/app/v1/transactions/t1", f.tokens.hs_token, json{{"events", one}}.dump()).status == 403);
  CHECK(plain.bearer(Method::put, "/_matrix/app/v1/transactions/t1", "", json{{"events", one}}.dump()).status == 401);
}

TEST_CASE("matrix appservice: a transaction applies once, as ghosts with \"via\": \"matrix\", skipping what it must") {
  MatrixFixture f;
  const json events = json::array({
      {{"type", "m.room.member"}, {"event_id", "$m"}, {"room_id", kRoom}, {"sender", "@bob:hs.test"},
       {"state_key", "@bob:hs.test"}, {"content", {{"membership", "join"}, {"displayname", "Bob B"}}}},
      MatrixFixture::message("$1", "@bob:hs.test",
                             {{"msgtype", "m.text"}, {"body", "**hi**"}, {"format", "org.matrix.custom.html"},
                              {"formatted_body", "<b>hi</b><script>x</script>"}}),
      MatrixFixture::message("$echo", "@cohorthub_sam:hs.test", MatrixFixture::text("our own")),
      MatrixFixture::message("$prov", "@bob:hs.test", {{"msgtype", "m.text"}, {"body", "x"},
                                                       {std::string(bridge::kProvenanceKey), {{"seq", 1}}}}),
      MatrixFixture::message("$other", "@bob:hs.test", MatrixFixture::text("elsewhere"), "!unmapped:hs.test"),
      {{"type", "m.room.topic"}, {"event_id", "$t"}, {"room_id", kRoom}, {"sender", "@bob:hs.test"}, {"content", {}}},
      {{"type", "m.sticker"}, {"event_id", "$s"}, {"room_id", kRoom}, {"sender", "@bob:hs.test"}, {"content", {}}},
      {{"type", "m.room.message"}, {"event_id", 5}, {"content", "not an object"}},
      "not even an event",
      MatrixFixture::message("$huge", "@bob:hs.test", MatrixFixture::text(std::string(50000, 'z'))),
  });
  auto r = f.push("txn-1", events);
  REQUIRE(r.status == 200);
  CHECK(r.json() == json::object());
  auto items = f.channel_messages();
  REQUIRE(items.size() == 2);
  CHECK(items[0]["body"] == "**hi**");
  CHECK(items[0]["author"]["via"] == "matrix");
  CHECK(items[0]["author"]["display_name"] == "Bob B");
  CHECK(items[1]["body"].get<std::string>().size() == discussion::kMaxBodyBytes);  // cut, not lost
  // The same transaction again, and a new one repeating an event: nothing twice.
  CHECK(f.push("txn-1", events).status == 200);
  CHECK(f.push("txn-2", json::array({events[1]})).status == 200);
  CHECK(f.channel_messages().size() == 2);
  const auto mapped = f.hub->db().read_now([](store::Connection& c) { return bridge::hub_message_for(c, Network::matrix, "$1"); });
  CHECK(mapped.value() == items[0]["id"].get<std::int64_t>());
  // Malformed bodies are refused outright; the homeserver will not get a 200 for them.
  CHECK(f.bearer(Method::put, "/_matrix/app/v1/transactions/bad", f.tokens.hs_token, "{").json()["errcode"] == "M_NOT_JSON");
  CHECK(f.bearer(Method::put, "/_matrix/app/v1/transactions/bad", f.tokens.hs_token, R"({"events":{}})").status == 400);
}

TEST_CASE("matrix appservice: edits, replies, threads, reactions and redactions from Matrix map onto hub messages") {
  MatrixFixture f;
  const std::string bob = "@bob:hs.test";
  REQUIRE(f.push("a", json::array({MatrixFixture::message("$root", bob, MatrixFixture::text("root"))})).status == 200);
  const auto root = f.channel_messages()[0]["id"].get<std::int64_t>();
  json edit = MatrixFixture::message("$edit", bob, {{"msgtype", "m.text"}, {"body", "* root!"},
                                                    {"m.new_content", {{"msgtype", "m.text"}, {"body", "root!"}}},
                                                    {"m.relates_to", {{"rel_type", "m.replace"}, {"event_id", "$root"}}}});
  json edit_unknown = edit;
  edit_unknown["event_id"] = "$edit2";
  edit_unknown["content"]["m.relates_to"]["event_id"] = "$never";
  json reply = MatrixFixture::message("$reply", bob, {{"msgtype", "m.text"}, {"body", "> <@bob:hs.test> root\n\nanswer"},
                                                      {"m.relates_to", {{"m.in_reply_to", {{"event_id", "$root"}}}}}});
  json threaded = MatrixFixture::message(
      "$thr", bob, {{"msgtype", "m.text"}, {"body", "in thread"},
                    {"m.relates_to", {{"rel_type", "m.thread"}, {"event_id", "$root"}, {"is_falling_back", true},
                                      {"m.in_reply_to", {{"event_id", "$root"}}}}}});
  json react = {{"type", "m.reaction"}, {"event_id", "$r"}, {"room_id", kRoom}, {"sender", bob},
                {"content", {{"m.relates_to", {{"rel_type", "m.annotation"}, {"event_id", "$root"}, {"key", "👍"}}}}}};
  REQUIRE(f.push("b", json::array({edit, edit_unknown, reply, threaded, react})).status == 200);
  auto message = f.message_of(root);
  CHECK(message["body"] == "root!");
  CHECK(message["reactions"][0]["emoji"] == "👍");
  auto items = f.channel_messages();
  REQUIRE(items.size() == 2);
  CHECK(items[1]["body"] == "answer");
  CHECK(items[1]["reply_to"] == root);
  auto thread = f.call(Method::get, f.msgs(f.channel) + "?thread=" + std::to_string(root), "", f.admin).json()["items"];
  REQUIRE(thread.size() == 1);
  CHECK(thread[0]["body"] == "in thread");
  CHECK(thread[0]["reply_to"].is_null());  // the fallback reply is not a real one

  auto redaction = [&](const std::string& id, const std::string& target) {
    return json{{"type", "m.room.redaction"}, {"event_id", id}, {"room_id", kRoom}, {"sender", bob},
                {"redacts", target}, {"content", json::object()}};
  };
  json v11 = redaction("$x3", "");
  v11.erase("redacts");
  v11["content"]["redacts"] = "$reply";  // room version 11 puts it in the content
  REQUIRE(f.push("c", json::array({redaction("$x1", "$r"), redaction("$x2", "$nothing"), v11})).status == 200);
  message = f.message_of(root);
  CHECK(message["reactions"].empty());
  CHECK(f.message_of(items[1]["id"].get<std::int64_t>())["deleted"] == true);
  // Bob may not delete a hub member's message from Matrix: skipped, still acknowledged.
  const auto hub_message = f.said(f.sam, "mine");
  REQUIRE(f.hub->db().write_now([&](store::Connection& c) {
    return bridge::map_ids(c, hub_message, Network::matrix, {kRoom, "$hubmsg"});
  }));
  CHECK(f.push("d", json::array({redaction("$x4", "$hubmsg")})).status == 200);
  CHECK(f.message_of(hub_message)["deleted"] == false);
}

TEST_CASE("matrix appservice: the user query registers our members' ghosts, and rooms are never made on demand") {
  MatrixFixture f;
  auto query = [&](const std::string& user) {
    return f.bearer(Method::get, "/_matrix/app/v1/users/" + user, f.tokens.hs_token);
  };
  CHECK(query("@cohorthub_sam:hs.test").status == 503);  // not attached yet
  boost::asio::io_context ioc;
  f.hub->connect_bridges(f.homeserver);
  f.hub->attach(ioc.get_executor());
  auto known = query("@cohorthub_sam:hs.test");
  CHECK(known.status == 200);
  CHECK(known.json() == json::object());
  REQUIRE(f.homeserver.requests().size() == 2);
  CHECK(f.body_of(0)["username"] == "cohorthub_sam");
  CHECK(query("@cohorthub_nobody:hs.test").json()["errcode"] == "M_NOT_FOUND");
  CHECK(query("@sam:hs.test").status == 404);
  CHECK(query("@cohorthub_sam:elsewhere.test").status == 404);
  // A Matrix user's own ghost is not ours to register again.
  REQUIRE(f.push("g", json::array({MatrixFixture::message("$g", "@bob:hs.test", MatrixFixture::text("hi"))})).status == 200);
  CHECK(query("@cohorthub_matrix_bob:hs.test").status == 404);
  auto room = f.bearer(Method::get, "/_matrix/app/v1/rooms/#cohorthub_general:hs.test", f.tokens.hs_token);
  CHECK(room.status == 404);
  CHECK(room.json()["errcode"] == "M_NOT_FOUND");
  // `ioc` never ran: the relay's loops were spawned but never started, so no DB job of theirs can
  // complete into it after it is gone.
  f.hub->detach_bridges();
}

TEST_CASE("matrix registration: tokens are made once, kept private, and the YAML names both namespaces") {
  testing::TempDir tmp;
  const std::string keys = tmp.path + "/keys";
  const auto first = bridge::matrix::load_or_create_tokens(keys);
  const auto again = bridge::matrix::load_or_create_tokens(keys);
  CHECK(first.as_token == again.as_token);
  CHECK(first.hs_token == again.hs_token);
  CHECK(first.as_token != first.hs_token);
  CHECK(first.as_token.size() >= 40);
  CHECK((std::filesystem::status(bridge::matrix::hs_token_file(keys)).permissions() & std::filesystem::perms::group_read) ==
        std::filesystem::perms::none);
  const std::string yaml = bridge::matrix::registration_yaml({"http://hub.test:8080", "hs.test", "cohorthub", "cohorthub", first});
  CHECK(has(yaml, "as_token: " + first.as_token));
  CHECK(has(yaml, "hs_token: " + first.hs_token));
  CHECK(has(yaml, "url: http://hub.test:8080"));
  CHECK(has(yaml, "sender_localpart: cohorthub"));
  CHECK(has(yaml, "regex: \"@cohorthub_.*:hs\\\\.test\""));
  CHECK(has(yaml, "regex: \"#cohorthub_.*:hs\\\\.test\""));
  CHECK(has(yaml, "exclusive: true"));
  CHECK(has(yaml, "rate_limited: false"));
  testing::TempDir empty;
  CHECK_THROWS_WITH(bridge::matrix::load_tokens(empty.path), Catch::Contains("matrix-registration"));
}
