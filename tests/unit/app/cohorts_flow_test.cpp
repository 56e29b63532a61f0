#include <catch2/catch.hpp>

#include <set>

#include "tests/unit/app/hub_fixture.hpp"

using namespace hub;
using hub::http::Method;
using hub::testing::HubFixture;
using nlohmann::json;

TEST_CASE("cohorts: only admins create them, bad input names the field, names are unique") {
  HubFixture f;
  f.add_user("ada", "admin");
  f.add_user("sam", "member");
  auto admin = f.login("ada"), member = f.login("sam");
  auto create = [&](const std::string& cookie, json body) {
    return f.call(Method::post, "/api/cohorts", body.dump(), cookie);
  };
  CHECK(create(member, {{"name", "C"}, {"starts_on", "2026-01-05"}}).status == 403);
  CHECK(create(admin, {{"name", "C"}, {"starts_on", "2026-02-30"}}).json()["error"]["field"] == "starts_on");
  CHECK(create(admin, {{"name", ""}, {"starts_on", "2026-02-03"}}).json()["error"]["field"] == "name");
  CHECK(create(admin, {{"starts_on", "2026-02-03"}}).json()["error"]["field"] == "name");
  auto ok = create(admin, {{"name", "Autumn 2026"}, {"starts_on", "2026-09-07"}});
  REQUIRE(ok.status == 201);
  CHECK(ok.json()["cohort"]["name"] == "Autumn 2026");
  CHECK(create(admin, {{"name", "Autumn 2026"}, {"starts_on", "2026-09-07"}}).status == 409);
  CHECK(f.count("cohorts") == 1);
}

TEST_CASE("cohorts: members see their own cohorts, others get 404, admins see all") {
  HubFixture f;
  f.add_user("ada", "admin");
  auto sam = f.add_user("sam", "member");
  f.add_user("lee", "member");
  auto admin = f.login("ada"), sam_c = f.login("sam"), lee_c = f.login("lee");
  auto a = f.call(Method::post, "/api/cohorts", json{{"name", "A"}, {"starts_on", "2026-01-05"}}.dump(), admin);
  auto b = f.call(Method::post, "/api/cohorts", json{{"name", "B"}, {"starts_on", "2026-01-05"}}.dump(), admin);
  auto a_id = a.json()["cohort"]["id"].get<std::int64_t>();
  auto b_id = b.json()["cohort"]["id"].get<std::int64_t>();
  REQUIRE(f.call(Method::post, "/api/cohorts/" + std::to_string(a_id) + "/members", json{{"handle", "sam"}}.dump(), admin).status == 200);
  (void)sam;

  CHECK(f.call(Method::get, "/api/cohorts", "", sam_c).json()["items"].size() == 1);
  CHECK(f.call(Method::get, "/api/cohorts", "", lee_c).json()["items"].size() == 0);
  CHECK(f.call(Method::get, "/api/cohorts", "", admin).json()["items"].size() == 2);
  CHECK(f.call(Method::get, "/api/cohorts/" + std::to_string(a_id), "", sam_c).json()["cohort"]["member_count"] == 1);
  CHECK(f.call(Method::get, "/api/cohorts/" + std::to_string(b_id), "", sam_c).status == 404);
  CHECK(f.call(Method::get, "/api/cohorts/" + std::to_string(a_id) + "/members", "", lee_c).status == 404);
  CHECK(f.call(Method::get, "/api/cohorts/abc", "", admin).status == 404);
  CHECK(f.call(Method::get, "/api/cohorts/99", "", admin).status == 404);
  CHECK(f.call(Method::get, "/api/cohorts", "", "").status == 401);
}

TEST_CASE("cohorts: member lists paginate with an opaque cursor and no duplicates") {
  HubFixture f;
  f.add_user("ada", "admin");
  auto admin = f.login("ada");
  auto c = f.call(Method::post, "/api/cohorts", json{{"name", "Big"}, {"starts_on", "2026-01-05"}}.dump(), admin);
  auto id = std::to_string(c.json()["cohort"]["id"].get<std::int64_t>());
  for (int i = 0; i < 7; ++i) {
    f.add_user("m" + std::to_string(i), "member");
    REQUIRE(f.call(Method::post, "/api/cohorts/" + id + "/members", json{{"handle", "m" + std::to_string(i)}}.dump(), admin).status == 200);
  }
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  do {
    auto r = f.call(Method::get, "/api/cohorts/" + id + "/members?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor), "", admin);
    REQUIRE(r.status == 200);
    const json page = r.json();
    for (const auto& m : page["items"]) CHECK(seen.insert(m["handle"].get<std::string>()).second);
    cursor = page["next_cursor"].is_null() ? "" : page["next_cursor"].get<std::string>();
    ++pages;
  } while (!cursor.empty());
  CHECK(seen.size() == 7);
  CHECK(pages == 3);
  CHECK(f.call(Method::get, "/api/cohorts/" + id + "/members?limit=500", "", admin).json()["error"]["field"] == "limit");
}

TEST_CASE("cohorts: an admin removes a member, nobody else can, and the member loses sight of it") {
  HubFixture f;
  f.add_user("ada", "admin");
  auto sam = f.add_user("sam", "member");
  f.add_user("mira", "mentor");
  auto admin = f.login("ada"), sam_c = f.login("sam"), mentor = f.login("mira");
  auto c = f.call(Method::post, "/api/cohorts", json{{"name", "A"}, {"starts_on", "2026-01-05"}}.dump(), admin);
  auto id = std::to_string(c.json()["cohort"]["id"].get<std::int64_t>());
  for (const char* handle : {"sam", "mira"})
    REQUIRE(f.call(Method::post, "/api/cohorts/" + id + "/members", json{{"handle", handle}}.dump(), admin).status == 200);
  const std::string target = "/api/cohorts/" + id + "/members/" + std::to_string(sam);
  CHECK(f.call(Method::delete_, target, "", mentor).status == 403);
  CHECK(f.call(Method::delete_, target, "", sam_c).status == 403);
  CHECK(f.call(Method::get, "/api/cohorts/" + id, "", sam_c).status == 200);
  auto audits = f.count("audit_log");
  CHECK(f.call(Method::delete_, target, "", admin).status == 204);
  CHECK(f.count("audit_log") == audits + 1);
  CHECK(f.call(Method::get, "/api/cohorts/" + id, "", sam_c).status == 404);
  CHECK(f.call(Method::get, "/api/me", "", sam_c).json()["cohort_ids"] == json::array());
  CHECK(f.call(Method::delete_, target, "", admin).status == 404);
  CHECK(f.call(Method::delete_, "/api/cohorts/999/members/" + std::to_string(sam), "", admin).status == 404);
}
