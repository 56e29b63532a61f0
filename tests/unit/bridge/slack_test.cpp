// The Slack connector: request signing, mrkdwn <-> Markdown, the Events API payloads, the Web API
// connector (with a fake HTTP client and a fake pacer clock), the events route over a real hub, and
// Socket Mode over a real hub with a fake WebSocket.
#include <catch2/catch.hpp>

#include <chrono>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "bridge/id_map.hpp"
#include "bridge/mappings.hpp"
#include "bridge/slack/events.hpp"
#include "bridge/slack/manifest.hpp"
#include "bridge/slack/mrkdwn.hpp"
#include "bridge/slack/signature.hpp"
#include "bridge/slack/slack_bridge.hpp"
#include "bridge/slack/slack_connector.hpp"
#include "bridge/slack/socket_mode.hpp"
#include "hub/http/websocket_client.hpp"
#include "hub/discussion/message_store.hpp"
#include "tests/unit/app/hub_fixture.hpp"

using namespace hub;
using namespace hub::bridge::slack;
using nlohmann::json;

namespace {

const HandleOf kSlackHandles = [](std::string_view user) -> std::optional<std::string> {
  if (user == "U024BE7LH") return std::string("slack_bob");
  return std::nullopt;
};
const SlackUserOf kSlackUsers = [](std::string_view handle) -> std::optional<std::string> {
  if (handle == "slack_bob") return std::string("U024BE7LH");
  return std::nullopt;
};

}  // namespace

TEST_CASE("slack signature: the example of Slack's \"Verifying requests from Slack\" passes") {
  const std::string body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name="
      "foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2F"
      "hooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015."
      "47445629121.803a0bc887a14d10d2c447fce8b6703c";
  CHECK(request_signature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body) ==
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
  // Five minutes either way from the hub's clock, and not a second more.
  CHECK(signed_text("1531420618", body, 1531420618 + 300) == "v0:1531420618:" + body);
  CHECK(signed_text("1531420618", body, 1531420618 - 300));
  CHECK_FALSE(signed_text("1531420618", body, 1531420618 + 301));
  CHECK_FALSE(signed_text("1531420618", body, 1531420618 - 301));
  for (std::string_view bad : {"", "15314206x8", "-1531420618", " 1531420618", "1531420618.5", "99999999999999"})
    CHECK_FALSE(signed_text(bad, body, 1531420618));
}

TEST_CASE("slack mrkdwn -> hub Markdown: formatting, mentions, links, escaping, and hostile input stays literal") {
  const std::pair<std::string, std::string> rows[] = {
      {"*bold* _it_ ~gone~", "**bold** _it_ ~~gone~~"},
      {"hi <@U024BE7LH>, see <#C123ABC|general>", "hi @slack_bob, see \\#general"},
      {"<@U999|carol> and <@U998>", "carol and U998"},  // no ghost: a name, never someone's @handle
      {"<https://example.org/a?b=1&amp;c=2|the docs>", "[the docs](<https://example.org/a?b=1&c=2>)"},
      {"<https://example.org>", "<https://example.org>"},
      {"<javascript:alert(1)|click>", "click"},
      {"a &lt;b&gt; &amp;amp; c", "a \\<b\\> \\&amp; c"},
      {"&gt; quoted\nnot", "> quoted\nnot"},
      {"`x *y* &lt;z&gt;`", "`x *y* <z>`"},
      {"```if (a &lt; b) *p = 1;```", "```\nif (a < b) *p = 1;\n```"},
      {"before ```code``` after", "before \n```\ncode\n```\n after"},
      {"*unbalanced and _open", "\\*unbalanced and \\_open"},
      {"2*3*4 snake_case_name", "2\\*3\\*4 snake\\_case\\_name"},
      {"# not a heading [x](javascript:y) <!here>", "\\# not a heading \\[x\\](javascript:y) @here"},
      {"<!subteam^S1|@devs> <!date^1392734382^{date}|Feb 18>", "@devs Feb 18"},
      {"```never closed", "\\`\\`\\`never closed"},
      {"<unterminated", "\\<unterminated"},
      {"", ""},
  };
  for (const auto& [in, out] : rows) {
    INFO(in);
    CHECK(to_markdown(in, kSlackHandles) == out);
  }
  CHECK(mentioned_users("<@U1> <@U2|x> <@U1> <@") == std::vector<std::string>{"U1", "U2"});
  // Hostile nesting as long as Slack allows stops at a bounded depth (no stack exhaustion), both ways.
  std::string nested;
  for (int i = 0; i < 6600; ++i) nested += "*_~";
  nested += "x";
  for (int i = 0; i < 6600; ++i) nested += "~_*";
  const std::string md = to_markdown(nested, kSlackHandles);
  CHECK(md.find('x') != std::string::npos);
  CHECK(md.rfind("**_", 0) == 0);
  CHECK(to_mrkdwn(nested, kSlackUsers).find('x') != std::string::npos);
}

TEST_CASE("slack hub Markdown -> mrkdwn: the reverse, with & < > escaped as Slack requires") {
  const std::pair<std::string, std::string> rows[] = {
      {"**bold** *it* _it_ ~~gone~~", "*bold* _it_ _it_ ~gone~"},
      {"ask @slack_bob or @ana", "ask <@U024BE7LH> or @ana"},
      {"[the docs](https://example.org/?a=1&b=2)", "<https://example.org/?a=1&amp;b=2|the docs>"},
      {"[bad](javascript:alert(1))", "[bad](javascript:alert(1))"},
      {"a < b && c > d", "a &lt; b &amp;&amp; c &gt; d"},
      {"> a quote with <tag>", "> a quote with &lt;tag&gt;"},
      {"# Title\n- one\n* two", "*Title*\n• one\n• two"},
      {"`a<b` and ``c`d``", "`a&lt;b` and `c`d`"},
      {"```js\nif (a < b) {}\n```", "```\nif (a &lt; b) {}\n```"},
      {"```\nnever closed", "```\nnever closed\n```"},
      {"\\*not bold\\* **open", "*not bold* **open"},
      {"<https://example.org>", "<https://example.org>"},
      {"<script>", "&lt;script&gt;"},
  };
  for (const auto& [in, out] : rows) {
    INFO(in);
    CHECK(to_mrkdwn(in, kSlackUsers) == out);
  }
}

TEST_CASE("slack texts too long are cut on a character boundary, with the tail that links to the rest") {
  CHECK(fit_text("short", 10, "…") == "short");
  const std::string tail = "… <https://hub/x|more>";
  std::string big(kSlackTextLimit + 5, 'a');
  big[kSlackTextLimit - tail.size() - 1] = '\xC3';  // "é" straddling the cut
  big[kSlackTextLimit - tail.size()] = '\xA9';
  const std::string cut = fit_text(big, kSlackTextLimit, tail);
  CHECK(cut.size() <= kSlackTextLimit);
  CHECK(cut.ends_with("a" + tail));  // the split character went whole
  // A hub message of 10,000 '&' is 50,000 bytes as mrkdwn: cut too.
  CHECK(fit_text(to_mrkdwn(std::string(10'000, '&'), {}), kSlackTextLimit, tail).size() <= kSlackTextLimit);
  // mrkdwn is never cut inside an entity, a link or a mention.
  CHECK(fit_mrkdwn("ab &amp; cd", 10, "…") == "ab …");
  CHECK(fit_mrkdwn("ab <https://x.org/?a=1&amp;b=2|the link> cd", 30, "…") == "ab …");
  CHECK(fit_mrkdwn("<@U1> and <@U2>", 14, "…") == "<@U1> and …");
  CHECK(fit_mrkdwn("<@U1> &amp; x y z", 14, "…") == "<@U1> &amp;…");
}

TEST_CASE("slack query values are percent-encoded: a base64 cursor keeps its '+', '/' and '='") {
  CHECK(http::percent_encode("dXNlcjpVMDYxTkZUVDI=") == "dXNlcjpVMDYxTkZUVDI%3D");
  CHECK(http::percent_encode("a+b/c d&e") == "a%2Bb%2Fc%20d%26e");
  CHECK(http::percent_encode("C0HUB-1.2_3~") == "C0HUB-1.2_3~");
  CHECK(http::percent_encode("\xC3\xA9") == "%C3%A9");
}

TEST_CASE("slack events: envelopes and events read into changes, echoes and the unbridgeable skipped") {
  CHECK_FALSE(parse_envelope("not json"));
  CHECK_FALSE(parse_envelope("[1]"));
  CHECK_FALSE(parse_envelope(R"({"type":"event_callback","event":{}})"));            // no event_id
  CHECK_FALSE(parse_envelope(R"({"type":"event_callback","event_id":"Ev1"})"));      // no event
  CHECK_FALSE(parse_envelope(R"({"type":"url_verification"})"));                     // no challenge
  CHECK(parse_envelope(R"({"type":"url_verification","challenge":"c1"})")->challenge == "c1");
  CHECK(parse_envelope(R"({"type":"app_rate_limited"})")->type == Envelope::Type::other);

  const OwnApp own{"B0OWN", "U0BOT", "A0APP"};
  auto in = [&](const char* event) { return classify(json::parse(event), own); };
  using K = Inbound::Kind;
  auto post = in(R"({"type":"message","channel":"C1","user":"U2","text":"hi","ts":"1.1"})");
  CHECK(post.kind == K::post);
  CHECK(post.thread_ts.empty());
  auto reply = in(R"({"type":"message","subtype":"thread_broadcast","channel":"C1","user":"U2","text":"r",
                      "ts":"1.2","thread_ts":"1.1"})");
  CHECK(reply.kind == K::post);
  CHECK(reply.thread_ts == "1.1");
  auto file = in(R"({"type":"message","subtype":"file_share","channel":"C1","user":"U2","text":"look","ts":"1.3",
                     "files":[{"name":"plan <v2>.pdf","permalink":"https://files.slack.com/x"}]})");
  CHECK(file.text == "look\n📎 <https://files.slack.com/x|plan &lt;v2&gt;.pdf>");
  auto bot = in(R"({"type":"message","subtype":"bot_message","channel":"C1","bot_id":"B9","username":"CI",
                    "text":"green","ts":"1.4"})");
  CHECK(bot.kind == K::post);
  CHECK(bot.user == "B9");
  CHECK(bot.name == "CI");
  // Our own posts come back: by metadata (even before the post returned), bot id or app id.
  CHECK(in(R"({"type":"message","channel":"C1","bot_id":"B7","subtype":"bot_message","text":"x","ts":"1.5",
              "metadata":{"event_type":"cohorthub_relay","event_payload":{}}})").kind == K::skip);
  CHECK(in(R"({"type":"message","channel":"C1","bot_id":"B0OWN","subtype":"bot_message","text":"x","ts":"1.6"})")
            .kind == K::skip);
  auto edit = in(R"({"type":"message","subtype":"message_changed","channel":"C1",
                     "message":{"user":"U2","text":"new","ts":"1.1"},"previous_message":{"user":"U2","text":"old"}})");
  CHECK(edit.kind == K::edit);
  CHECK(edit.ts == "1.1");
  CHECK(edit.text == "new");
  CHECK(in(R"({"type":"message","subtype":"message_changed","channel":"C1",
              "message":{"user":"U2","text":"same","ts":"1.1"},"previous_message":{"text":"same"}})").kind == K::skip);
  CHECK(in(R"({"type":"message","subtype":"message_changed","channel":"C1",
              "message":{"bot_id":"B0OWN","text":"ours","ts":"1.1"}})").kind == K::skip);
  auto gone = in(R"({"type":"message","subtype":"message_deleted","channel":"C1","deleted_ts":"1.1",
                     "previous_message":{"user":"U2","text":"old"}})");
  CHECK(gone.kind == K::remove);
  CHECK(gone.user == "U2");
  // A thread's first message deleted in Slack is not deleted but becomes a tombstone, announced as
  // message_changed: the hub deletes it (and the hub's own post tombstoned is the hub's to delete).
  auto tombstone = in(R"({"type":"message","subtype":"message_changed","channel":"C1","hidden":true,
                          "message":{"type":"message","subtype":"tombstone","text":"This message was deleted.",
                                     "user":"USLACKBOT","hidden":true,"ts":"1.1","thread_ts":"1.1","reply_count":1},
                          "previous_message":{"user":"U2","text":"old","ts":"1.1","thread_ts":"1.1"}})");
  CHECK(tombstone.kind == K::remove);
  CHECK(tombstone.ts == "1.1");
  CHECK(tombstone.user == "U2");
  CHECK(in(R"({"type":"message","subtype":"message_changed","channel":"C1",
              "message":{"subtype":"tombstone","user":"USLACKBOT","text":"This message was deleted.","ts":"1.1"},
              "previous_message":{"bot_id":"B0OWN","text":"ours","ts":"1.1"}})").kind == K::skip);
  auto like = in(R"({"type":"reaction_added","user":"U2","reaction":"thumbsup",
                     "item":{"type":"message","channel":"C1","ts":"1.1"}})");
  CHECK(like.kind == K::react);
  CHECK(like.emoji == ":thumbsup:");
  CHECK(in(R"({"type":"reaction_removed","user":"U2","reaction":"x","item":{"type":"message","channel":"C1","ts":"1"}})")
            .add == false);
  CHECK(in(R"({"type":"reaction_added","user":"U0BOT","reaction":"x","item":{"type":"message","channel":"C1","ts":"1"}})")
            .kind == K::skip);
  CHECK(in(R"({"type":"reaction_added","user":"U2","reaction":"x","item":{"type":"file","file":"F1"}})").kind == K::skip);
  CHECK(in(R"({"type":"message","subtype":"channel_join","channel":"C1","user":"U2","ts":"1"})").reason ==
        "message subtype \"channel_join\" is not bridged");
  CHECK(in(R"({"type":"message","user":"U2","text":"no channel","ts":"1"})").kind == K::skip);
  CHECK(in(R"({"type":"message","channel":"C1","user":42,"text":"odd types","ts":1})").kind == K::skip);
  CHECK(in(R"({"type":"app_mention"})").kind == K::skip);
}

TEST_CASE("slack manifest: exactly the scopes and events the connector uses, and the events URL") {
  const std::string m = app_manifest("https://hub.example.org/");
  CHECK(m.find("request_url: \"https://hub.example.org/api/bridge/slack/events\"") != std::string::npos);
  for (const char* scope : {"channels:history", "groups:history", "chat:write", "chat:write.customize",
                            "reactions:read", "reactions:write", "users:read", "message.channels", "message.groups",
                            "reaction_added", "reaction_removed"})
    CHECK(m.find("      - " + std::string(scope) + "\n") != std::string::npos);
  std::size_t listed = 0;
  for (std::size_t i = m.find("      - "); i != std::string::npos; i = m.find("      - ", i + 1)) ++listed;
  CHECK(listed == 11);
  // Socket Mode: the same scopes and events, no request URL.
  const std::string socket = app_manifest("https://hub.example.org/", true);
  CHECK(socket.find("request_url") == std::string::npos);
  CHECK(socket.find("  socket_mode_enabled: true\n") != std::string::npos);
  CHECK(m.find("  socket_mode_enabled: false\n") != std::string::npos);
  CHECK(socket.find("      - reaction_removed\n") != std::string::npos);
}

namespace {

// A pacer on a fake steady clock: waiting moves the clock and records how long was waited.
struct FakePace {
  std::chrono::steady_clock::time_point now{};
  std::vector<std::int64_t> waits_ms;
  Pacer pacer{std::chrono::milliseconds(1000), [this] { return now; },
              [this](std::chrono::milliseconds d) -> boost::asio::awaitable<void> {
                waits_ms.push_back(d.count());
                now += d;
                co_return;
              }};
};

http::ClientResponse slack_answer(int status, std::string body, std::string retry_after = "") {
  http::ClientResponse r;
  r.status = status;
  r.body = std::move(body);
  if (!retry_after.empty()) r.headers.set("Retry-After", retry_after);
  return r;
}

bridge::Outgoing outgoing(std::string kind, json message, std::string delta = "") {
  bridge::Outgoing out;
  out.txn_id = "slack:42";
  out.event.kind = std::move(kind);
  out.event.payload = message.dump();
  out.event.delta = std::move(delta);
  out.mapping.network = discussion::Network::slack;
  out.mapping.remote_room = "C0HUB";
  return out;
}

const json kMessage = {{"id", 7},         {"channel_id", 3},
                       {"body", "hi **@slack_bob** & <all>"},
                       {"author", {{"handle", "ana"}, {"display_name", "Ana Lima"}}}};

}  // namespace

TEST_CASE("slack connector: a hub post becomes chat.postMessage as its author, in its thread, with provenance") {
  http::FakeHttpClient fake;
  fake.answer = [](const http::ClientRequest&) { return slack_answer(200, R"({"ok":true,"ts":"1700.0001"})"); };
  FakePace pace;
  SlackConnector slack(fake, {"http://slack.test/api", [] { return std::string("xoxb-test-token"); }, "https://hub"},
                       pace.pacer, [](std::vector<std::string> handles) -> boost::asio::awaitable<std::map<std::string, std::string>> {
                         std::map<std::string, std::string> found;
                         for (auto& h : handles)
                           if (h == "slack_bob") found[h] = "U024BE7LH";
                         co_return found;
                       });
  auto out = outgoing("message.posted", kMessage);
  out.thread_root = bridge::RemoteRef{"C0HUB", "1600.0001"};
  auto sent = testing::run_coro(slack.send(out));
  CHECK(sent.kind == bridge::SendOutcome::Kind::sent);
  CHECK(sent.remote_id == "1700.0001");
  const auto requests = fake.requests();
  REQUIRE(requests.size() == 1);
  const auto& req = requests[0];
  CHECK(req.url == "http://slack.test/api/chat.postMessage");
  CHECK(req.headers.get("Authorization") == "Bearer xoxb-test-token");
  const json body = json::parse(req.body);
  CHECK(body["channel"] == "C0HUB");
  CHECK(body["username"] == "Ana Lima");
  CHECK(body["text"] == "hi *<@U024BE7LH>* &amp; &lt;all&gt;");
  CHECK(body["thread_ts"] == "1600.0001");
  CHECK(body["metadata"]["event_type"] == "cohorthub_relay");
  CHECK(body["metadata"]["event_payload"]["org.cohorthub.provenance"] == "slack:42");
  // Over Slack's 40,000 characters once escaped (each & is 5): cut, with a link to the hub message,
  // and an edit the same way.
  json big = kMessage;
  big["body"] = std::string(discussion::kMaxBodyBytes, '&');
  testing::run_coro(slack.send(outgoing("message.posted", big)));
  auto edit = outgoing("message.edited", big);
  edit.self = bridge::RemoteRef{"C0HUB", "1700.0001"};
  testing::run_coro(slack.send(edit));
  const std::string tail = "… (cut short: <https://hub/channels/3#message-7|read it in full on the hub>)";
  for (std::size_t i : {1, 2}) {
    const std::string text = json::parse(fake.requests().at(i).body)["text"];
    CHECK(text.size() <= kSlackTextLimit);
    CHECK(text.rfind("&amp;&amp;", 0) == 0);
    CHECK(text.substr(text.size() - tail.size()) == tail);
    CHECK(text.find("&amp;…") != std::string::npos);  // cut between entities, never inside one
  }
  // A thread reply links to its thread's first message: the channel page lists only those.
  json reply = big;
  reply["id"] = 9;
  reply["thread_root"] = 7;
  testing::run_coro(slack.send(outgoing("message.posted", reply)));
  const std::string reply_text = json::parse(fake.requests().back().body)["text"];
  CHECK(reply_text.substr(reply_text.size() - tail.size()) == tail);
  // Without [server] public_origin there is no link (hub_link()); the text still says where the
  // whole message is, in the channel's name (escaped as Slack requires).
  SlackConnector unlinked(fake, {"http://slack.test/api", [] { return std::string("xoxb-test-token"); }, ""},
                          pace.pacer, {}, [](std::int64_t id) -> boost::asio::awaitable<std::string> {
                            co_return id == 3 ? "q&a <1>" : "";
                          });
  testing::run_coro(unlinked.send(outgoing("message.posted", big)));
  const std::string text = json::parse(fake.requests().back().body)["text"];
  const std::string words = "… (cut short: read it in full in #q&amp;a &lt;1&gt; on the hub)";
  CHECK(text.size() <= kSlackTextLimit);
  CHECK(text.substr(text.size() - words.size()) == words);
  CHECK(text.find("http") == std::string::npos);
  CHECK(slack_cut_tail(std::string("https://h/x"), "") == "… (cut short: <https://h/x|read it in full on the hub>)");
  CHECK(slack_cut_tail(std::nullopt, "bridged") == "… (cut short: read it in full in #bridged on the hub)");
}

TEST_CASE("slack connector: edits, deletes and reactions, and what Slack cannot show is skipped") {
  http::FakeHttpClient fake;
  std::string answer = R"({"ok":true,"ts":"9.9"})";
  fake.answer = [&](const http::ClientRequest&) { return slack_answer(200, answer); };
  FakePace pace;
  SlackConnector slack(fake, {"http://slack.test/api", [] { return std::string("xoxb-t"); }, ""}, pace.pacer);
  using K = bridge::SendOutcome::Kind;
  CHECK(testing::run_coro(slack.send(outgoing("message.edited", kMessage))).kind == K::skipped);  // never sent
  auto edit = outgoing("message.edited", kMessage);
  edit.self = bridge::RemoteRef{"C0HUB", "1700.0001"};
  auto edited = testing::run_coro(slack.send(edit));
  CHECK(edited.kind == K::sent);
  CHECK(edited.remote_id.empty());
  auto del = outgoing("message.deleted", kMessage);
  del.self = edit.self;
  answer = R"({"ok":false,"error":"message_not_found"})";  // gone already: the goal is reached
  CHECK(testing::run_coro(slack.send(del)).kind == K::sent);
  auto react = outgoing("message.reacted", kMessage, R"({"emoji":"👍","added":true})");
  react.self = edit.self;
  answer = R"({"ok":false,"error":"already_reacted"})";
  CHECK(testing::run_coro(slack.send(react)).kind == K::sent);
  auto unnamed = outgoing("message.reacted", kMessage, R"({"emoji":"🦩","added":false})");
  unnamed.self = edit.self;
  CHECK(testing::run_coro(slack.send(unnamed)).kind == K::skipped);
  CHECK(testing::run_coro(slack.send(outgoing("message.replied", kMessage))).kind == K::skipped);
  const auto reqs = fake.requests();
  REQUIRE(reqs.size() == 3);
  CHECK(reqs[0].url.ends_with("/chat.update"));
  CHECK(json::parse(reqs[0].body)["ts"] == "1700.0001");
  CHECK(reqs[1].url.ends_with("/chat.delete"));
  CHECK(reqs[2].url.ends_with("/reactions.add"));
  CHECK(json::parse(reqs[2].body)["name"] == "+1");
  CHECK(json::parse(reqs[2].body)["timestamp"] == "1700.0001");
  CHECK(slack_reaction_name(":party_parrot:") == "party_parrot");
}

TEST_CASE("slack connector: 429 waits Retry-After, errors are handled by name, and a channel gets 1 message/s") {
  using K = bridge::SendOutcome::Kind;
  const auto outcome = [](http::ClientResponse r) { return outcome_of(r, "chat.postMessage"); };
  auto limited = outcome(slack_answer(429, "", "7"));
  CHECK(limited.kind == K::retry);
  CHECK(limited.retry_after_s == 7);
  CHECK(outcome(slack_answer(200, R"({"ok":false,"error":"ratelimited"})")).kind == K::retry);
  CHECK(outcome(slack_answer(503, "")).kind == K::retry);
  http::ClientResponse down;
  down.error = http::ClientError::connect;
  CHECK(outcome(down).kind == K::retry);
  for (const char* name : {"channel_not_found", "not_in_channel", "invalid_auth", "is_archived", "msg_too_long"}) {
    auto failed = outcome(slack_answer(200, std::string(R"({"ok":false,"error":")") + name + "\"}"));
    CHECK(failed.kind == K::failed);
    CHECK(failed.error == std::string("chat.postMessage: ") + name);  // the name is the visible status
  }
  CHECK(outcome(slack_answer(200, "<html>")).kind == K::failed);

  http::FakeHttpClient fake;
  fake.answer = [](const http::ClientRequest&) { return slack_answer(200, R"({"ok":true,"ts":"1.0"})"); };
  FakePace pace;
  SlackConnector slack(fake, {"http://slack.test/api", [] { return std::string("xoxb-t"); }, ""}, pace.pacer);
  for (int i = 0; i < 3; ++i) testing::run_coro(slack.send(outgoing("message.posted", kMessage)));
  auto other = outgoing("message.posted", kMessage);
  other.mapping.remote_room = "C0OTHER";
  testing::run_coro(slack.send(other));  // another channel does not wait
  CHECK(pace.waits_ms == std::vector<std::int64_t>{1000, 1000});
  SlackConnector no_token(fake, {"http://slack.test/api", [] { return std::string(); }, ""}, pace.pacer);
  auto missing = testing::run_coro(no_token.send(outgoing("message.posted", kMessage)));
  CHECK(missing.kind == K::retry);
  CHECK(missing.error.find("no Slack bot token") != std::string::npos);
}

namespace {

constexpr const char* kSecret = "0123456789abcdef0123456789abcdef";

struct SlackHub : testing::HubFixture {
  std::string admin_cookie;
  std::int64_t channel = 0;

  SlackHub() : HubFixture(std::map<std::string, std::string>{{"COHORTHUB_SLACK_PACE_MS", "0"}}) {
    add_user("ada", "admin");
    admin_cookie = login("ada");
    auto r = call(http::Method::put, "/api/bridge/slack/credentials",
                  json{{"signing_secret", kSecret}, {"bot_token", "xoxb-1234-5678-abcdefgh"}}.dump(), admin_cookie);
    REQUIRE(r.status == 200);
    channel = call(http::Method::post, "/api/channels", R"({"name":"bridged"})", admin_cookie)
                  .json()["channel"]["id"]
                  .get<std::int64_t>();
    REQUIRE(hub->db().write_now([&](store::Connection& c) {
      return bridge::add_mapping(c, channel, discussion::Network::slack, "C0HUB", 1, clock.now());
    }));
  }

  // POSTs `body` as Slack would: no cookie, no Origin, signed at `at` (the hub's now by default).
  testing::Reply slack(const std::string& body, std::optional<std::int64_t> at = std::nullopt,
                       std::string secret = kSecret) {
    const std::string ts = std::to_string(at.value_or(clock.now()));
    http::Headers h;
    h.set("Origin", "");
    h.set("X-Slack-Request-Timestamp", ts);
    h.set("X-Slack-Signature", request_signature(secret, ts, body));
    return call(http::Method::post, "/api/bridge/slack/events", body, "", h);
  }
  testing::Reply event(const std::string& event_id, json event) {
    return slack(json{{"type", "event_callback"}, {"event_id", event_id}, {"event", std::move(event)}}.dump());
  }
  json messages() {
    return call(http::Method::get, "/api/channels/" + std::to_string(channel) + "/messages", "", admin_cookie)
        .json()["items"];
  }
};

}  // namespace

TEST_CASE("slack events route: every request is signed, and url_verification is answered only after the check") {
  SlackHub f;
  const std::string challenge = R"({"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"})";
  auto ok = f.slack(challenge);
  CHECK(ok.status == 200);
  CHECK(ok.json()["challenge"] == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
  CHECK(f.slack(challenge, std::nullopt, "another-secret-another-secret").status == 401);
  CHECK(f.slack(challenge, f.clock.now() - 301).status == 401);  // stale: a replayed capture
  CHECK(f.slack(challenge, f.clock.now() + 301).status == 401);
  http::Headers unsigned_headers;
  unsigned_headers.set("Origin", "");
  CHECK(f.call(http::Method::post, "/api/bridge/slack/events", challenge, "", unsigned_headers).status == 401);
  CHECK(f.slack("{not json").status == 400);
  // Credentials: admins only, written once, never shown again, sealed at rest.
  CHECK(f.call(http::Method::put, "/api/bridge/slack/credentials", R"({"bot_token":"xoxp-user-token-123456"})",
               f.admin_cookie).status == 400);
  CHECK(f.call(http::Method::put, "/api/bridge/slack/credentials", "{}", f.admin_cookie).status == 400);
  f.add_user("mia", "member");
  CHECK(f.call(http::Method::put, "/api/bridge/slack/credentials", json{{"signing_secret", kSecret}}.dump(),
               f.login("mia")).status == 403);
  CHECK(f.call(http::Method::get, "/api/bridge/slack/credentials", "", f.admin_cookie).status == 405);
  auto raw = f.hub->db().read_now([](store::Connection& c) -> http::Result<std::string> {
    auto s = c.prepare("SELECT group_concat(sealed, '') FROM slack_secrets");
    if (auto r = s.step(); !r) return r.error();
    return s.text(0);
  });
  REQUIRE(raw);
  CHECK(raw->find("xoxb-1234") == std::string::npos);
  CHECK(raw->find(kSecret) == std::string::npos);
  // The Slack relay's counters are on /metrics from the start (zero until start() makes the relay).
  const std::string metrics = f.call(http::Method::get, "/metrics", "", f.admin_cookie).body;
  CHECK(metrics.find("cohorthub_bridge_slack_sent_total 0") != std::string::npos);
  CHECK(metrics.find("cohorthub_bridge_slack_failures_total 0") != std::string::npos);
}

TEST_CASE("slack events route: messages, threads, edits, deletes and reactions apply once, via slack") {
  SlackHub f;
  CHECK(f.event("Ev1", {{"type", "message"}, {"channel", "C0HUB"}, {"user", "U2"}, {"text", "*hello* &lt;hub&gt;"},
                        {"ts", "1700.0001"}}).status == 200);
  auto items = f.messages();
  REQUIRE(items.size() == 1);
  CHECK(items[0]["body"] == "**hello** \\<hub\\>");
  CHECK(items[0]["author"]["via"] == "slack");
  const auto id = items[0]["id"].get<std::int64_t>();
  // Slack's retry of the same event, and the same message under another event id: applied once.
  CHECK(f.event("Ev1", {{"type", "message"}, {"channel", "C0HUB"}, {"user", "U2"}, {"text", "x"}, {"ts", "1700.0001"}})
            .status == 200);
  CHECK(f.event("Ev1b", {{"type", "message"}, {"channel", "C0HUB"}, {"user", "U2"}, {"text", "x"}, {"ts", "1700.0001"}})
            .status == 200);
  CHECK(f.messages().size() == 1);
  // A thread reply lands in the thread of the message it answers.
  f.event("Ev2", {{"type", "message"}, {"channel", "C0HUB"}, {"user", "U3"}, {"text", "in thread"},
                  {"ts", "1700.0002"}, {"thread_ts", "1700.0001"}});
  auto reply_id = f.hub->db().read_now([](store::Connection& c) {
    return bridge::hub_message_for(c, discussion::Network::slack, "1700.0002");
  });
  REQUIRE(reply_id);
  REQUIRE(*reply_id);
  auto reply = f.hub->db().read_now([&](store::Connection& c) { return discussion::message_json(c, **reply_id); });
  CHECK((*reply)["thread_root"] == id);
  // The author edits, reacts and deletes; someone else's delete is refused by the seam's policy.
  f.event("Ev3", {{"type", "message"}, {"subtype", "message_changed"}, {"channel", "C0HUB"},
                  {"message", {{"user", "U2"}, {"text", "hello again"}, {"ts", "1700.0001"}}},
                  {"previous_message", {{"user", "U2"}, {"text", "*hello* &lt;hub&gt;"}}}});
  f.event("Ev4", {{"type", "reaction_added"}, {"user", "U3"}, {"reaction", "tada"},
                  {"item", {{"type", "message"}, {"channel", "C0HUB"}, {"ts", "1700.0001"}}}});
  f.event("Ev5", {{"type", "message"}, {"subtype", "message_deleted"}, {"channel", "C0HUB"}, {"deleted_ts", "1700.0001"},
                  {"previous_message", {{"user", "U3"}, {"text", "hello again"}}}});
  auto after = f.hub->db().read_now([&](store::Connection& c) { return discussion::message_json(c, id); });
  CHECK((*after)["body"] == "hello again");
  CHECK((*after)["deleted"] == false);
  CHECK((*after)["reactions"][0]["emoji"] == ":tada:");
  f.event("Ev6", {{"type", "message"}, {"subtype", "message_deleted"}, {"channel", "C0HUB"}, {"deleted_ts", "1700.0001"},
                  {"previous_message", {{"user", "U2"}, {"text", "hello again"}}}});
  after = f.hub->db().read_now([&](store::Connection& c) { return discussion::message_json(c, id); });
  CHECK((*after)["deleted"] == true);
  // Unmapped channels, our own echoes and events after a refusal leave nothing queued behind.
  f.event("Ev7", {{"type", "message"}, {"channel", "C0ELSEWHERE"}, {"user", "U2"}, {"text", "x"}, {"ts", "1.0"}});
  f.event("Ev8", {{"type", "message"}, {"subtype", "bot_message"}, {"channel", "C0HUB"}, {"bot_id", "B1"},
                  {"text", "echo"}, {"ts", "1.1"}, {"metadata", {{"event_type", "cohorthub_relay"}}}});
  CHECK(f.count("slack_inbound") == 0);
  CHECK(f.messages().size() == 1);  // the reply is in its thread, the echo nowhere
  CHECK(f.count("bridge_inbound_seen") == 9);
}

namespace {

// Slack for catch-up: conversations.history and .replies answer what the test last set.
struct CatchUpSlack {
  CatchUpSlack() {
    fake.answer = [this](const http::ClientRequest& r) {
      if (r.url.find("/auth.test") != std::string::npos)
        return slack_answer(200, R"({"ok":true,"bot_id":"B0OWN","user_id":"U0BOT"})");
      if (r.url.find("/conversations.replies") != std::string::npos) return slack_answer(200, replies);
      if (r.url.find("/conversations.history") != std::string::npos) return slack_answer(200, history);
      return slack_answer(200, R"({"ok":false,"error":"user_not_found"})");
    };
  }
  CatchUpSlack(const CatchUpSlack&) = delete;
  CatchUpSlack& operator=(const CatchUpSlack&) = delete;
  http::FakeHttpClient fake;
  std::string history, replies;
};

}  // namespace

TEST_CASE("slack catch-up: what a channel said while the hub was away is applied from the cursor, gaps reported") {
  SlackHub f;
  CatchUpSlack remote;
  http::FakeHttpClient& fake = remote.fake;
  std::string &history = remote.history, &replies = remote.replies;
  auto& slack = f.hub->slack();
  slack.connect(fake);
  // A new mapping starts at Slack's newest message: the channel's past is not imported.
  history = R"({"ok":true,"messages":[{"type":"message","user":"U2","text":"old","ts":"1000.000100"}]})";
  testing::run_coro(slack.catch_up());
  CHECK(f.messages().empty());
  // While the hub was away: two messages, a thread reply, and the hub's own post coming back.
  history = R"({"ok":true,"messages":[
      {"type":"message","user":"U2","text":"second","ts":"1000.000300","thread_ts":"1000.000300",
       "reply_count":1,"latest_reply":"1000.000400"},
      {"type":"message","subtype":"bot_message","bot_id":"B0OWN","text":"ours","ts":"1000.000250"},
      {"type":"message","user":"U3","text":"first","ts":"1000.000200"}, 7],"has_more":false})";
  replies = R"({"ok":true,"messages":[
      {"type":"message","user":"U2","text":"second","ts":"1000.000300","thread_ts":"1000.000300"},
      {"type":"message","user":"U3","text":"a reply","ts":"1000.000400","thread_ts":"1000.000300"}]})";
  testing::run_coro(slack.catch_up());
  auto items = f.messages();
  REQUIRE(items.size() == 2);
  CHECK(items[0]["body"] == "first");  // in Slack's order
  CHECK(items[1]["body"] == "second");
  CHECK(items[1]["reply_count"] == 1);
  auto asked = [&](const std::string& method) {
    std::vector<std::string> urls;
    for (const auto& r : fake.requests())
      if (r.url.find("/" + method + "?") != std::string::npos) urls.push_back(r.url);
    return urls;
  };
  // The catch-up's reads from the stored position (the re-read window has no "oldest").
  const auto from_cursor = [&] {
    std::vector<std::string> urls = asked("conversations.history");
    std::erase_if(urls, [](const std::string& u) { return u.find("oldest=") == std::string::npos; });
    return urls;
  };
  CHECK(from_cursor().back().find("oldest=1000.000100") != std::string::npos);
  CHECK(asked("conversations.replies").back().find("ts=1000.000300") != std::string::npos);
  // Again: resumes after the newest message applied, and nothing is applied twice.
  testing::run_coro(slack.catch_up());
  CHECK(from_cursor().back().find("oldest=1000.000400") != std::string::npos);
  CHECK(f.messages().size() == 2);
  // Slack refuses: the gap is on the mapping's status, never silently skipped.
  history = R"({"ok":false,"error":"not_in_channel"})";
  testing::run_coro(slack.catch_up());
  auto mapping = f.hub->db().read_now([](store::Connection& c) {
    return bridge::mapping_for_room(c, discussion::Network::slack, "C0HUB");
  });
  REQUIRE(mapping);
  REQUIRE(*mapping);
  CHECK((*mapping)->status.find("not_in_channel") != std::string::npos);
  CHECK((*mapping)->status.find("after 1000.000400 may be missing") != std::string::npos);
}

TEST_CASE("slack catch-up: edits, deletes and reactions made in Slack meanwhile are applied once, older ones reported") {
  SlackHub f;
  CatchUpSlack remote;
  http::FakeHttpClient& fake = remote.fake;
  std::string &history = remote.history, &replies = remote.replies;
  auto& slack = f.hub->slack();
  slack.connect(fake);
  history = R"({"ok":true,"messages":[{"type":"message","user":"U2","text":"old","ts":"1000.000100"}]})";
  testing::run_coro(slack.catch_up());  // the mapping's start
  // Live, before the hub went down: three messages (one a thread reply) and a reaction.
  f.event("Ev1", {{"type", "message"}, {"channel", "C0HUB"}, {"user", "U2"}, {"text", "keep me"}, {"ts", "1000.000200"}});
  f.event("Ev2", {{"type", "message"}, {"channel", "C0HUB"}, {"user", "U2"}, {"text", "delete me"}, {"ts", "1000.000300"}});
  f.event("Ev3", {{"type", "message"}, {"channel", "C0HUB"}, {"user", "U3"}, {"text", "a reply"}, {"ts", "1000.000350"},
                  {"thread_ts", "1000.000200"}});
  f.event("Ev4", {{"type", "reaction_added"}, {"user", "U3"}, {"reaction", "eyes"},
                  {"item", {{"type", "message"}, {"channel", "C0HUB"}, {"ts", "1000.000200"}}}});
  const auto hub_id = [&](const char* ts) {
    return **f.hub->db().read_now([&](store::Connection& c) { return bridge::hub_message_for(c, discussion::Network::slack, ts); });
  };
  const auto message = [&](const char* ts) {
    const std::int64_t id = hub_id(ts);
    return *f.hub->db().read_now([&](store::Connection& c) { return discussion::message_json(c, id); });
  };
  REQUIRE(message("1000.000200")["reactions"].size() == 1);
  // While it was down: U2 edits "keep me", deletes "delete me"; U3's reply is deleted, U3 takes
  // the eyes back and reacts tada (Slack's list is cut short for "clap": U4's is kept though unlisted).
  f.event("Ev5", {{"type", "reaction_added"}, {"user", "U4"}, {"reaction", "clap"},
                  {"item", {{"type", "message"}, {"channel", "C0HUB"}, {"ts", "1000.000200"}}}});
  history = R"({"ok":true,"has_more":false,"messages":[
      {"type":"message","user":"U2","text":"keep me, *edited*","ts":"1000.000200","edited":{"user":"U2","ts":"1000.000500"},
       "reactions":[{"name":"tada","users":["U3","U0BOT"],"count":2},{"name":"clap","users":[],"count":1}]}]})";
  replies = R"({"ok":true,"messages":[{"type":"message","user":"U2","text":"keep me","ts":"1000.000200"}]})";
  const auto events_before = f.count("events");
  testing::run_coro(slack.catch_up());
  const json kept = message("1000.000200");
  CHECK(kept["body"] == "keep me, **edited**");
  CHECK(kept["author"]["via"] == "slack");
  REQUIRE(kept["reactions"].size() == 2);
  CHECK(kept["reactions"][0]["emoji"] == ":clap:");
  CHECK(kept["reactions"][1]["emoji"] == ":tada:");
  CHECK(kept["reactions"][1]["count"] == 1);  // U3's; the bot's own is not a Slack user's
  CHECK(message("1000.000300")["deleted"] == true);
  CHECK(message("1000.000350")["deleted"] == true);
  // Edit, delete, delete (and the thread root's reply count), eyes off, tada on: each once; a
  // second look finds nothing new.
  CHECK(f.count("events") == events_before + 6);
  CHECK(f.count("slack_inbound") == 0);
  testing::run_coro(slack.catch_up());
  CHECK(f.count("events") == events_before + 6);
  auto status = [&] {
    return (*f.hub->db().read_now([](store::Connection& c) {
      return bridge::mapping_for_room(c, discussion::Network::slack, "C0HUB");
    }))->status;
  };
  CHECK(status().empty());
  // A channel busier than the window: changes to the messages before it are reported, not guessed.
  history = R"({"ok":true,"has_more":true,"messages":[
      {"type":"message","user":"U2","text":"newer","ts":"1000.000600","reply_count":3,"latest_reply":"1000.000700"}]})";
  replies = R"({"ok":true,"has_more":true,"messages":[]})";
  testing::run_coro(slack.catch_up());
  CHECK(status().find("changes in Slack made while the hub was down were not checked for messages older than") == 0);
  CHECK(status().find(", nor in 1 thread(s) not re-read") != std::string::npos);
  CHECK(message("1000.000200")["deleted"] == false);  // outside the window: not taken for deleted
  // A thread's first message deleted in Slack stays in the history as a tombstone: a delete.
  f.event("Ev6", {{"type", "message"}, {"channel", "C0HUB"}, {"user", "U2"}, {"text", "a root"}, {"ts", "1000.000800"}});
  const char* root_tombstone = R"({"type":"message","subtype":"tombstone","user":"USLACKBOT","hidden":true,
      "text":"This message was deleted.","ts":"1000.000800","thread_ts":"1000.000800","reply_count":1,
      "latest_reply":"1000.000900"})";
  history = std::string(R"({"ok":true,"has_more":false,"messages":[)") + root_tombstone + "]}";
  replies = std::string(R"({"ok":true,"messages":[)") + root_tombstone +
            R"(,{"type":"message","user":"U3","text":"still here","ts":"1000.000900","thread_ts":"1000.000800"}]})";
  testing::run_coro(slack.catch_up());
  CHECK(message("1000.000800")["deleted"] == true);
  CHECK(message("1000.000900")["deleted"] == false);
}

TEST_CASE("slack socket mode: frames read into facts, and reconnect waits that grow with jitter") {
  using Type = SocketFrame::Type;
  CHECK(parse_socket_frame(R"({"type":"hello","num_connections":1})").type == Type::hello);
  auto bye = parse_socket_frame(R"({"type":"disconnect","reason":"refresh_requested"})");
  CHECK((bye.type == Type::disconnect && bye.reason == "refresh_requested"));
  auto env = parse_socket_frame(R"({"type":"events_api","envelope_id":"e-1","retry_attempt":2,"payload":{"a":1}})");
  CHECK((env.type == Type::envelope && env.kind == "events_api" && env.envelope_id == "e-1"));
  CHECK((env.retry_attempt == 2 && env.payload == json{{"a", 1}}));
  CHECK(parse_socket_frame(R"({"type":"slash_commands","payload":{}})").envelope_id.empty());
  for (const char* bad : {"", "[1]", "{\"type\":", R"({"no":"type"})"}) CHECK(parse_socket_frame(bad).type == Type::unreadable);
  std::mt19937 random(7);
  using ms = std::chrono::milliseconds;
  CHECK(reconnect_delay(0, ms(500), ms(30'000), random) == ms(0));
  std::set<std::int64_t> firsts;
  for (int i = 0; i < 20; ++i) {
    const auto first = reconnect_delay(1, ms(500), ms(30'000), random).count();
    CHECK((first >= 250 && first <= 500));
    firsts.insert(first);
    const auto fourth = reconnect_delay(4, ms(500), ms(30'000), random).count();
    CHECK((fourth >= 2000 && fourth <= 4000));
    const auto late = reconnect_delay(40, ms(500), ms(30'000), random).count();
    CHECK((late >= 15'000 && late <= 30'000));
  }
  CHECK(firsts.size() > 5);  // jitter: hubs that lost Slack together do not return together
}

TEST_CASE("slack socket mode: each envelope is acked after its event is written, redeliveries apply once, reconnects") {
  SlackHub f;
  REQUIRE(f.call(http::Method::put, "/api/bridge/slack/credentials", R"({"app_token":"xapp-1-A0APP-123-abcdef"})",
                 f.admin_cookie).json()["stored"] == json{"app_token"});
  http::FakeHttpClient web;
  web.answer = [](const http::ClientRequest& r) {
    if (r.url.find("/apps.connections.open") != std::string::npos)
      return slack_answer(200, R"({"ok":true,"url":"wss://wss.slack.test/link/?ticket=t"})");
    return slack_answer(200, R"({"ok":false,"error":"user_not_found"})");
  };
  const auto envelope = [](std::string id, std::string event_id, std::string ts, std::string text) {
    json event = {{"type", "message"}, {"channel", "C0HUB"}, {"user", "U2"}, {"text", text}, {"ts", ts}};
    json payload = {{"type", "event_callback"}, {"event_id", event_id}, {"event", event}};
    json e = {{"type", "events_api"}, {"envelope_id", id}, {"retry_attempt", 0}, {"payload", payload}};
    if (id.empty()) e.erase("envelope_id");
    return e.dump();
  };
  const std::string hello = R"({"type":"hello","num_connections":1})";
  http::FakeWebSocketClient sockets;
  using Script = http::FakeWebSocketClient::Script;
  // 1: two events and one without an envelope_id, then the link drops. 2: Slack sends E2 again
  // (its ack was lost), then asks for a reconnect. 3: refused. 4: no hello first. Then none left.
  sockets.scripts = {
      Script{{}, {hello, envelope("E1", "Ev1", "1700.0001", "one"), envelope("", "Ev9", "1700.0009", "no id"),
                  R"({"type":"slash_commands","envelope_id":"E8","payload":{}})",
                  envelope("E2", "Ev2", "1700.0002", "two")}},
      Script{{}, {hello, envelope("E2", "Ev2", "1700.0002", "two"), "not json",
                  R"({"type":"disconnect","reason":"refresh_requested"})"}},
      Script{http::ClientError::connect, {}},
      Script{{}, {envelope("E3", "Ev3", "1700.0003", "before hello")}},
  };
  std::vector<std::int64_t> seen_at_ack;  // events written down when each ack went out
  sockets.on_write = [&](const std::string&) { seen_at_ack.push_back(f.count("bridge_inbound_seen")); };
  auto& slack = f.hub->slack();
  slack.connect(web);
  std::vector<std::int64_t> waits;
  auto& mode = slack.socket_mode(sockets, {}, [&](std::chrono::milliseconds d) -> boost::asio::awaitable<void> {
    waits.push_back(d.count());
    co_return;
  });
  sockets.on_exhausted = [&] { mode.stop(); };
  testing::run_coro(mode.run());

  std::vector<std::pair<std::size_t, std::string>> acks;
  for (const auto& w : sockets.written()) acks.emplace_back(w.connection, w.text);
  CHECK(acks == std::vector<std::pair<std::size_t, std::string>>{{0, R"({"envelope_id":"E1"})"},
                                                                  {0, R"({"envelope_id":"E8"})"},
                                                                  {0, R"({"envelope_id":"E2"})"},
                                                                  {1, R"({"envelope_id":"E2"})"}});
  CHECK(seen_at_ack == std::vector<std::int64_t>{1, 1, 2, 2});
  CHECK(mode.acked() == 4);
  CHECK(mode.connections() == 3);
  CHECK(mode.reconnects_after_drop() == 1);        // the first connection
  CHECK(mode.reconnects_after_disconnect() == 1);  // the second (a refusal or no hello is neither)
  CHECK(mode.skipped() == 3);                      // no envelope_id, slash_commands, "not json"
  // The same counters on /metrics, registered like the relay's.
  const std::string metrics = f.call(http::Method::get, "/metrics", "", f.admin_cookie).body;
  for (const char* line : {"cohorthub_bridge_slack_socket_connections_total 3\n",
                           "cohorthub_bridge_slack_socket_reconnects_disconnect_total 1\n",
                           "cohorthub_bridge_slack_socket_reconnects_drop_total 1\n",
                           "cohorthub_bridge_slack_socket_acked_total 4\n",
                           "cohorthub_bridge_slack_socket_skipped_total 3\n"})
    CHECK(metrics.find(line) != std::string::npos);
  auto items = f.messages();
  REQUIRE(items.size() == 2);  // "one" and "two", once; nothing unacknowledged applied
  CHECK(items[0]["body"] == "one");
  CHECK(items[1]["body"] == "two");
  // A new URL for every connection, asked with the app-level token; a wait after each failure
  // (the drop, the refusal, no hello), none after Slack's disconnect.
  std::vector<http::ClientRequest> opens;
  for (const auto& r : web.requests())
    if (r.url == "https://slack.com/api/apps.connections.open") opens.push_back(r);
  CHECK(opens.size() == 5);
  for (const auto& r : opens) CHECK(r.headers.get("Authorization") == "Bearer xapp-1-A0APP-123-abcdef");
  CHECK(sockets.urls().size() == 5);
  REQUIRE(waits.size() == 3);
  CHECK((waits[0] >= 250 && waits[0] <= 500));  // after the drop
  CHECK((waits[1] >= 250 && waits[1] <= 500));  // after the refusal
  CHECK((waits[2] >= 500 && waits[2] <= 1000));  // after no hello: two failures in a row
}

TEST_CASE("slack: a message too long for the hub is cut with a link to it in Slack (workspace URL, else chat.getPermalink)") {
  CHECK(message_permalink("https://team.slack.com/", "C0HUB", "1700000000.000100") ==
        "https://team.slack.com/archives/C0HUB/p1700000000000100");
  CHECK(message_permalink("https://team.slack.com", "C0HUB", "1.2") == "https://team.slack.com/archives/C0HUB/p12");
  using Parts = std::tuple<const char*, const char*, const char*>;
  for (auto [url, channel, ts] : std::vector<Parts>{{"http://team.slack.com/", "C0HUB", "1.2"}, {"javascript:x", "C0HUB", "1.2"},
                                   {"https://t.slack.com/", "C0<b>", "1.2"}, {"https://t.slack.com/", "C0HUB", "12"},
                                   {"https://t.slack.com/", "C0HUB", "1.2.3"}, {"https://a b/", "C0HUB", "1.2"}, {"", "C", "1.2"}})
    CHECK(message_permalink(url, channel, ts).empty());

  SlackHub f;
  http::FakeHttpClient fake;
  std::string auth = R"({"ok":true,"user_id":"U0BOT"})";  // no workspace URL (and no bot id: asked each time)
  fake.answer = [&](const http::ClientRequest& r) {
    if (r.url.find("/auth.test") != std::string::npos) return slack_answer(200, auth);
    if (r.url.find("/chat.getPermalink") != std::string::npos)
      return slack_answer(200, R"({"ok":true,"permalink":"https://team.slack.com/archives/C0HUB/p1700000100?cid=1"})");
    return slack_answer(200, R"({"ok":false,"error":"user_not_found"})");
  };
  f.hub->slack().connect(fake);
  const std::string note = "… [*(cut short: the whole message is in Slack)*](<";
  const auto message = [](std::string ts, std::string text) {
    return json{{"type", "message"}, {"channel", "C0HUB"}, {"user", "U2"}, {"text", text}, {"ts", ts}};
  };
  f.event("Ev1", message("1700.000100", std::string(12'000, 'a')));
  auth = R"({"ok":true,"user_id":"U0BOT","bot_id":"B0BOT","url":"https://cohort.slack.com/"})";
  f.event("Ev2", message("1700.000200", std::string(12'000, 'b')));
  f.event("Ev3", message("1700.000300", std::string(10'000, 'c')));  // fits exactly: whole
  auto items = f.messages();
  REQUIRE(items.size() == 3);
  const std::string cut1 = items[0]["body"], cut2 = items[1]["body"];
  CHECK(cut1.size() <= discussion::kMaxBodyBytes);
  CHECK(cut1.rfind(std::string(9'800, 'a'), 0) == 0);
  CHECK(cut1.substr(cut1.find("…")) == note + "https://team.slack.com/archives/C0HUB/p1700000100?cid=1>)");
  CHECK(cut2.substr(cut2.find("…")) == note + "https://cohort.slack.com/archives/C0HUB/p1700000200>)");
  CHECK(items[2]["body"] == std::string(10'000, 'c'));
  std::size_t asked = 0;
  for (const auto& r : fake.requests()) asked += r.url.find("/chat.getPermalink?channel=C0HUB&message_ts=1700.000100") != std::string::npos;
  CHECK(asked == 1);  // only when the workspace URL was unknown
}

TEST_CASE("slack connector: a post that may have reached Slack already is looked up by its provenance, not posted twice") {
  using K = bridge::SendOutcome::Kind;
  http::FakeHttpClient fake;
  std::string history;  // the answer of conversations.history / .replies
  fake.answer = [&](const http::ClientRequest& r) {
    if (r.url.find("/conversations.") != std::string::npos) return slack_answer(200, history);
    return slack_answer(200, R"({"ok":true,"ts":"1700.0009"})");
  };
  FakePace pace;
  SlackConnector slack(fake, {"http://slack.test/api", [] { return std::string("xoxb-t"); }, ""}, pace.pacer);
  const auto relayed = [](const char* ts, const char* provenance) {
    return json{{"ts", ts}, {"metadata", {{"event_type", "cohorthub_relay"}, {"event_payload", {{"org.cohorthub.provenance", provenance}}}}}};
  };
  auto out = outgoing("message.posted", kMessage);  // txn "slack:42"
  out.maybe_sent = true;

  // Slack took it, and its answer was lost: found among the newest messages, not posted again.
  history = json{{"ok", true}, {"messages", {{{"ts", "1700.0008"}, {"user", "U2BOB"}}, relayed("1700.0007", "slack:42"), relayed("1700.0001", "slack:41")}}}.dump();
  auto found = testing::run_coro(slack.send(out));
  CHECK(found.kind == K::sent);
  CHECK(found.remote_id == "1700.0007");
  auto reqs = fake.requests();
  REQUIRE(reqs.size() == 1);
  CHECK(reqs[0].url == "http://slack.test/api/conversations.history?channel=C0HUB&limit=100&include_all_metadata=true");

  // The newest message the hub posted is an earlier one: this one never got there, and is posted.
  history = json{{"ok", true}, {"messages", {relayed("1700.0005", "slack:41"), relayed("1700.0002", "slack:42")}}}.dump();
  auto posted = testing::run_coro(slack.send(out));
  CHECK(posted.kind == K::sent);
  CHECK(posted.remote_id == "1700.0009");
  reqs = fake.requests();
  REQUIRE(reqs.size() == 3);
  CHECK(reqs[2].url.ends_with("/chat.postMessage"));

  // A thread reply is looked for in its thread, past other provenance.
  auto reply = out;
  reply.thread_root = bridge::RemoteRef{"C0HUB", "1600.0001"};
  history = json{{"ok", true}, {"messages", {relayed("1600.0001", "slack:7"), relayed("1700.0003", "slack:42")}}}.dump();
  auto in_thread = testing::run_coro(slack.send(reply));
  CHECK(in_thread.kind == K::sent);
  CHECK(in_thread.remote_id == "1700.0003");
  reqs = fake.requests();
  REQUIRE(reqs.size() == 4);
  CHECK(reqs[3].url.find("/conversations.replies?") != std::string::npos);
  CHECK(reqs[3].url.ends_with("&ts=1600.0001"));

  // Slack cannot be asked: retried later, nothing posted meanwhile.
  fake.answer = [](const http::ClientRequest&) { return slack_answer(500, ""); };
  auto unsure = testing::run_coro(slack.send(out));
  CHECK(unsure.kind == K::retry);
  CHECK(unsure.error.find("looking for an earlier post") != std::string::npos);
  CHECK(fake.requests().size() == 5);

  // A first try that cannot have been sent before posts at once.
  fake.answer = [](const http::ClientRequest&) { return slack_answer(200, R"({"ok":true,"ts":"1.0"})"); };
  out.maybe_sent = false;
  CHECK(testing::run_coro(slack.send(out)).kind == K::sent);
  reqs = fake.requests();
  REQUIRE(reqs.size() == 6);
  CHECK(reqs[5].url.ends_with("/chat.postMessage"));

  // Deleted on the hub before its resend (lookup_only): the earlier try is found, so the delete
  // that follows reaches it; when Slack never had it, nothing is posted.
  fake.answer = [&](const http::ClientRequest& r) {
    if (r.url.find("/conversations.") != std::string::npos) return slack_answer(200, history);
    return slack_answer(200, R"({"ok":true,"ts":"1700.0009"})");
  };
  json gone = kMessage;
  gone["body"] = "";
  gone["deleted"] = true;
  auto lookup = outgoing("message.posted", gone);
  lookup.maybe_sent = lookup.lookup_only = true;
  history = json{{"ok", true}, {"messages", {relayed("1700.0007", "slack:42")}}}.dump();
  auto earlier = testing::run_coro(slack.send(lookup));
  CHECK(earlier.kind == K::sent);
  CHECK(earlier.remote_id == "1700.0007");
  history = json{{"ok", true}, {"messages", {relayed("1700.0005", "slack:41")}}}.dump();
  CHECK(testing::run_coro(slack.send(lookup)).kind == K::skipped);
  reqs = fake.requests();
  REQUIRE(reqs.size() == 8);
  for (std::size_t i : {6, 7}) CHECK(reqs[i].url.find("/conversations.history?") != std::string::npos);
}

TEST_CASE("slack connector: the bot's one reaction per emoji stands for the hub's: added on 0 -> 1, removed on 1 -> 0") {
  using K = bridge::SendOutcome::Kind;
  http::FakeHttpClient fake;
  fake.answer = [](const http::ClientRequest&) { return slack_answer(200, R"({"ok":true})"); };
  FakePace pace;
  SlackConnector slack(fake, {"http://slack.test/api", [] { return std::string("xoxb-t"); }, ""}, pace.pacer);
  const auto react = [&](bool added, std::map<std::string, int> hub_reactions) {
    auto out = outgoing("message.reacted", kMessage, json{{"emoji", "👍"}, {"added", added}}.dump());
    out.self = bridge::RemoteRef{"C0HUB", "1700.0001"};
    out.hub_reactions = std::move(hub_reactions);
    return testing::run_coro(slack.send(out)).kind;
  };
  CHECK(react(true, {{"👍", 1}, {"🎉", 2}}) == K::sent);   // ana: 0 -> 1
  CHECK(react(true, {{"👍", 2}}) == K::skipped);           // bo as well: Slack shows it already
  CHECK(react(false, {{"👍", 1}}) == K::skipped);          // ana takes hers back: bo still reacts
  CHECK(react(false, {{":+1:", 1}}) == K::skipped);        // bo's is gone, but cy's ":+1:" is +1 in Slack too
  CHECK(react(false, {{"🎉", 2}}) == K::sent);             // nobody left with +1: 1 -> 0
  const auto reqs = fake.requests();
  REQUIRE(reqs.size() == 2);
  CHECK(reqs[0].url.ends_with("/reactions.add"));
  CHECK(reqs[1].url.ends_with("/reactions.remove"));
  CHECK(json::parse(reqs[1].body) == json{{"channel", "C0HUB"}, {"timestamp", "1700.0001"}, {"name", "+1"}});
}
