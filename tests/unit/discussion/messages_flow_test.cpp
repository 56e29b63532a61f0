#include <catch2/catch.hpp>

#include "tests/unit/discussion/discussion_fixture.hpp"

using namespace hub;
using hub::http::Method;
using hub::testing::DiscussionFixture;
using nlohmann::json;

TEST_CASE("channels: admins and the cohort's mentors create them, members see their cohort's and hub-wide ones") {
  DiscussionFixture f;
  CHECK(f.call(Method::post, "/api/channels", json{{"name", "x"}, {"cohort_id", f.cohort}}.dump(), f.sam).status == 403);
  CHECK(f.call(Method::post, "/api/channels", json{{"name", "x"}}.dump(), f.mentor).status == 403);
  f.create_channel(f.mentor, {{"name", "mentoring"}, {"cohort_id", f.cohort}, {"topic", "ask"}});
  auto dup = f.call(Method::post, "/api/channels", json{{"name", "general"}, {"cohort_id", f.cohort}}.dump(), f.admin);
  CHECK(dup.status == 409);
  CHECK(f.call(Method::post, "/api/channels", json{{"name", ""}}.dump(), f.admin).json()["error"]["field"] == "name");
  CHECK(f.call(Method::post, "/api/channels", json{{"name", "y"}, {"cohort_id", 999}}.dump(), f.admin)
            .json()["error"]["field"] == "cohort_id");
  CHECK(f.call(Method::get, "/api/channels", "", f.sam).json()["items"].size() == 3);
  CHECK(f.call(Method::get, "/api/channels", "", f.lee).json()["items"].size() == 1);  // the lobby only
  CHECK(f.call(Method::get, "/api/channels", "", f.admin).json()["items"].size() == 3);
}

TEST_CASE("messages: a post is 201 with a strictly increasing seq, rendered safely, and recorded as an event") {
  DiscussionFixture f;
  auto a = f.say(f.sam, "**hello** <script>x</script>");
  REQUIRE(a.status == 201);
  auto m = a.json()["message"];
  CHECK(m["html"].get<std::string>().find("<strong>hello</strong>") != std::string::npos);
  CHECK(m["html"].get<std::string>().find("<script") == std::string::npos);
  CHECK(m["author"]["handle"] == "sam");
  CHECK(m["seq"] == a.json()["seq"]);
  auto b = f.say(f.mentor, "second");
  CHECK(b.json()["seq"].get<std::int64_t>() > a.json()["seq"].get<std::int64_t>());
  CHECK(f.count("events") == 2);
}

TEST_CASE("messages: bad input gets a clear 4xx and writes nothing") {
  DiscussionFixture f;
  auto big = f.say(f.sam, std::string(10'001, 'x'));
  CHECK(big.status == 413);
  CHECK(big.json()["error"]["field"] == "body");
  CHECK(f.say(f.sam, "  \n ").json()["error"]["field"] == "body");
  CHECK(f.post(f.sam, f.channel, {{"body", 5}}).json()["error"]["field"] == "body");
  CHECK(f.call(Method::post, f.msgs(f.channel), "{\"body\":\"\xff\xfe\"}", f.sam).status == 400);  // invalid UTF-8
  CHECK(f.call(Method::post, f.msgs(f.channel), "{nope", f.sam).status == 400);
  CHECK(f.say(f.sam, "hi", 999).status == 404);
  CHECK(f.call(Method::post, "/api/channels/abc/messages", R"({"body":"x"})", f.sam).status == 404);
  CHECK(f.say(f.lee, "let me in").status == 404);  // not a member: the channel does not exist for lee
  auto other = f.said(f.sam, "in the lobby", f.lobby);
  CHECK(f.post(f.sam, f.channel, {{"body", "re"}, {"reply_to", other}}).json()["error"]["field"] == "reply_to");
  CHECK(f.count("messages") == 1);
  CHECK(f.count("events") == 1);
}

TEST_CASE("messages: the author edits, the history keeps the old text, nobody edits another's message") {
  DiscussionFixture f;
  auto id = f.said(f.sam, "fisrt draft");
  CHECK(f.call(Method::patch, f.msg(id), R"({"body":"hijacked"})", f.mentor).status == 403);
  CHECK(f.call(Method::patch, f.msg(id), R"({"body":"hijacked"})", f.admin).status == 403);
  auto e = f.call(Method::patch, f.msg(id), R"({"body":"first draft"})", f.sam);
  REQUIRE(e.status == 200);
  CHECK(e.json()["message"]["body"] == "first draft");
  CHECK(e.json()["message"]["edited_at"].is_string());
  auto h = f.call(Method::get, f.msg(id) + "/history", "", f.sam).json();
  REQUIRE(h["items"].size() == 1);
  CHECK(h["items"][0]["body"] == "fisrt draft");
  CHECK(f.call(Method::get, f.msg(id) + "/history", "", f.lee).status == 404);
  CHECK(f.call(Method::patch, f.msg(9999), R"({"body":"x"})", f.sam).status == 404);
}

TEST_CASE("messages: the author or a moderator deletes, a tombstone stays and no event keeps the text") {
  DiscussionFixture f;
  auto id = f.said(f.sam, "secret words");
  f.call(Method::patch, f.msg(id), R"({"body":"secret words, edited"})", f.sam);
  auto other = f.said(f.sam, "another");
  CHECK(f.call(Method::delete_, f.msg(id), "", f.lee).status == 404);
  f.add_user("kim", "member");
  auto kim = f.login("kim");
  REQUIRE(f.call(Method::post, "/api/cohorts/" + std::to_string(f.cohort) + "/members", R"({"handle":"kim"})", f.admin)
              .status == 200);
  CHECK(f.call(Method::delete_, f.msg(id), "", kim).status == 403);
  auto d = f.call(Method::delete_, f.msg(id), "", f.sam);
  REQUIRE(d.status == 200);
  CHECK(d.json()["message"]["deleted"] == true);
  CHECK(d.json()["message"]["body"] == "");
  CHECK(f.call(Method::delete_, f.msg(id), "", f.sam).status == 404);
  CHECK(f.call(Method::patch, f.msg(id), R"({"body":"back"})", f.sam).status == 409);
  auto list = f.call(Method::get, f.msgs(f.channel), "", f.sam).json();
  CHECK(list["items"].size() == 2);  // the tombstone is still in its place
  auto kept = f.hub->db().read_now([](store::Connection& c) -> http::Result<std::int64_t> {
    auto s = c.prepare("SELECT count(*) FROM events WHERE payload LIKE '%secret%'");
    (void)s.step();
    return s.int64(0);
  });
  CHECK(*kept == 0);
  CHECK(f.count("message_edits") == 0);
  CHECK(f.call(Method::delete_, f.msg(other), "", f.mentor).status == 200);  // a mentor of the cohort moderates
}

TEST_CASE("messages: reactions, @mentions and thread replies") {
  DiscussionFixture f;
  auto root = f.said(f.sam, "question for @mia and @nobody");
  auto m = f.call(Method::get, f.msgs(f.channel), "", f.sam).json()["items"][0];
  CHECK(m["mentions"] == json::array({"mia"}));
  auto r = f.call(Method::post, f.msg(root) + "/reactions", R"({"emoji":"👍"})", f.mentor);
  REQUIRE(r.status == 200);
  CHECK(r.json()["message"]["reactions"][0]["count"] == 1);
  CHECK(r.json()["message"]["reactions"][0]["handles"] == json::array({"mia"}));
  CHECK(f.call(Method::post, f.msg(root) + "/reactions", R"({"emoji":"two words"})", f.mentor).json()["error"]["field"] ==
        "emoji");
  auto gone = f.call(Method::delete_, f.msg(root) + "/reactions/👍", "", f.mentor);  // hub/net decodes paths
  REQUIRE(gone.status == 200);
  CHECK(gone.json()["message"]["reactions"].empty());

  auto reply = f.post(f.mentor, f.channel, {{"body", "answer"}, {"thread_root", root}});
  REQUIRE(reply.status == 201);
  auto reply_id = reply.json()["message"]["id"].get<std::int64_t>();
  CHECK(f.post(f.sam, f.channel, {{"body", "nested"}, {"thread_root", reply_id}}).json()["error"]["field"] ==
        "thread_root");
  auto top = f.call(Method::get, f.msgs(f.channel), "", f.sam).json()["items"];
  REQUIRE(top.size() == 1);  // the reply lives in the thread
  CHECK(top[0]["reply_count"] == 1);
  auto thread = f.call(Method::get, f.msgs(f.channel) + "?thread=" + std::to_string(root), "", f.sam).json()["items"];
  REQUIRE(thread.size() == 1);
  CHECK(thread[0]["body"] == "answer");
}

TEST_CASE("messages: cursor pagination works both ways") {
  DiscussionFixture f;
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 7; ++i) ids.push_back(f.said(f.sam, "m" + std::to_string(i)));
  auto newest = f.call(Method::get, f.msgs(f.channel) + "?limit=3", "", f.sam).json();
  REQUIRE(newest["items"].size() == 3);
  CHECK(newest["items"][0]["id"] == ids[4]);
  CHECK(newest["items"][2]["id"] == ids[6]);
  CHECK(newest["newer"].is_null());
  auto older = f.call(Method::get, f.msgs(f.channel) + "?limit=3&before=" + newest["older"].dump(), "", f.sam).json();
  CHECK(older["items"][0]["id"] == ids[1]);
  auto oldest = f.call(Method::get, f.msgs(f.channel) + "?limit=3&before=" + older["older"].dump(), "", f.sam).json();
  CHECK(oldest["items"].size() == 1);
  CHECK(oldest["older"].is_null());
  auto forward = f.call(Method::get, f.msgs(f.channel) + "?limit=4&after=" + std::to_string(ids[0]), "", f.sam).json();
  REQUIRE(forward["items"].size() == 4);
  CHECK(forward["items"][0]["id"] == ids[1]);
  auto rest = f.call(Method::get, f.msgs(f.channel) + "?limit=4&after=" + forward["newer"].dump(), "", f.sam).json();
  CHECK(rest["items"].size() == 2);
  CHECK(rest["newer"].is_null());
  CHECK(f.call(Method::get, f.msgs(f.channel) + "?before=x", "", f.sam).json()["error"]["field"] == "before");
  CHECK(f.call(Method::get, f.msgs(f.channel) + "?before=3&after=1", "", f.sam).status == 400);
}

TEST_CASE("unread: counts others' messages after the marker, the marker only moves forward") {
  DiscussionFixture f;
  f.said(f.sam, "mine");
  auto a = f.said(f.mentor, "one");
  auto b = f.said(f.mentor, "two");
  auto unread = [&] {
    auto list = f.call(Method::get, "/api/channels", "", f.sam).json();
    for (auto& c : list["items"])
      if (c["id"] == f.channel) return c["unread"].get<int>();
    return -1;
  };
  CHECK(unread() == 2);
  auto path = "/api/channels/" + std::to_string(f.channel) + "/read";
  CHECK(f.call(Method::put, path, json{{"message_id", b}}.dump(), f.sam).status == 200);
  CHECK(unread() == 0);
  f.call(Method::put, path, json{{"message_id", a}}.dump(), f.sam);
  CHECK(unread() == 0);
  CHECK(f.call(Method::put, path, json{{"message_id", 9999}}.dump(), f.sam).json()["error"]["field"] == "message_id");
}

TEST_CASE("moderation: a mentor mutes a member for a while, members cannot mute") {
  DiscussionFixture f;
  auto path = "/api/channels/" + std::to_string(f.channel) + "/mutes";
  CHECK(f.call(Method::post, path, R"({"handle":"mia","minutes":5})", f.sam).status == 403);
  CHECK(f.call(Method::post, path, R"({"handle":"ghost","minutes":5})", f.mentor).json()["error"]["field"] == "handle");
  CHECK(f.call(Method::post, path, R"({"handle":"sam","minutes":0})", f.mentor).json()["error"]["field"] == "minutes");
  REQUIRE(f.call(Method::post, path, R"({"handle":"sam","minutes":5})", f.mentor).status == 201);
  auto muted = f.say(f.sam, "can I speak?");
  CHECK(muted.status == 403);
  CHECK(f.say(f.sam, "elsewhere", f.lobby).status == 201);
  f.clock.advance(5 * 60 + 1);
  CHECK(f.say(f.sam, "I'm back").status == 201);
}

TEST_CASE("rate limit: posting beyond the burst is 429 with Retry-After") {
  DiscussionFixture f;
  int created = 0, limited = 0;
  std::string retry;
  for (int i = 0; i < 40; ++i) {
    auto r = f.say(f.sam, "flood " + std::to_string(i));
    if (r.status == 201) ++created;
    if (r.status == 429) {
      ++limited;
      retry = std::string(r.headers.get("Retry-After"));
    }
  }
  CHECK(created == 30);
  CHECK(limited == 10);
  CHECK(retry == "1");
  CHECK(f.say(f.mentor, "others still post").status == 201);
}

TEST_CASE("preview: renders like a post, without storing anything") {
  DiscussionFixture f;
  auto r = f.call(Method::post, "/api/render-preview", R"({"body":"*hi*"})", f.sam);
  CHECK(r.json()["html"] == "<p><em>hi</em></p>\n");
  CHECK(f.count("messages") == 0);
}
