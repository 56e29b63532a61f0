#include <catch2/catch.hpp>

#include "tests/unit/app/hub_fixture.hpp"

using namespace hub;
using hub::http::Method;
using hub::testing::HubFixture;
using nlohmann::json;

namespace {
std::string registration(const std::string& code, const std::string& handle, const std::string& password = HubFixture::kPassword) {
  return json{{"invite_code", code}, {"handle", handle}, {"display_name", "Noor Haddad"}, {"password", password}}.dump();
}
}  // namespace

TEST_CASE("accounts: an invite registers a member who is then logged in and sees themself") {
  HubFixture f;
  f.add_user("ada", "admin");
  auto admin = f.login("ada");
  auto code = f.invite(admin, "member");
  auto reg = f.call(Method::post, "/api/register", registration(code, "Noor"));
  REQUIRE(reg.status == 201);
  CHECK(reg.json()["user"]["handle"] == "noor");
  CHECK(reg.json()["user"]["role"] == "member");
  auto cookie_header = std::string(reg.headers.get("Set-Cookie"));
  CHECK(cookie_header.find("HttpOnly") != std::string::npos);
  CHECK(cookie_header.find("SameSite=Lax") != std::string::npos);
  auto me = f.call(Method::get, "/api/me", "", reg.set_cookie());
  REQUIRE(me.status == 200);
  CHECK(me.json()["display_name"] == "Noor Haddad");
  CHECK(me.json()["cohort_ids"] == json::array());
}

TEST_CASE("accounts: a reused invite is refused and nothing is written") {
  HubFixture f;
  f.add_user("ada", "admin");
  auto code = f.invite(f.login("ada"), "member");
  REQUIRE(f.call(Method::post, "/api/register", registration(code, "first")).status == 201);
  auto users = f.count("users");
  auto again = f.call(Method::post, "/api/register", registration(code, "second"));
  CHECK(again.status == 400);
  CHECK(again.json()["error"]["field"] == "invite_code");
  CHECK(f.count("users") == users);
}

TEST_CASE("accounts: bad registrations name the field and write nothing") {
  HubFixture f;
  f.add_user("ada", "admin");
  auto code = f.invite(f.login("ada"), "member");
  const auto users = f.count("users");
  struct Case { std::string body; std::string field; };
  std::vector<Case> cases = {
      {registration(code, "x"), "handle"},
      {registration(code, "ada"), "handle"},  // taken
      {registration(code, "newbie", "short"), "password"},
      {registration(code, "newbie", std::string(2000, 'p') + "q"), "password"},
      {registration("not-a-code", "newbie"), "invite_code"},
      {json{{"invite_code", code}, {"handle", "newbie"}, {"display_name", "   "}, {"password", HubFixture::kPassword}}.dump(), "display_name"},
      {json{{"invite_code", code}, {"handle", 7}, {"display_name", "N"}, {"password", HubFixture::kPassword}}.dump(), "handle"},
      {json{{"invite_code", code}, {"display_name", "N"}, {"password", HubFixture::kPassword}}.dump(), "handle"},
  };
  for (const auto& c : cases) {
    auto r = f.call(Method::post, "/api/register", c.body);
    INFO(c.body.substr(0, 120));
    CHECK(r.status == 400);
    CHECK(r.json()["error"]["code"] == "invalid_field");
    CHECK(r.json()["error"]["field"] == c.field);
  }
  CHECK(f.count("users") == users);
  CHECK(f.call(Method::post, "/api/register", "{not json").error_code() == "bad_request");
}

TEST_CASE("accounts: wrong passwords are 401, then rate-limited with Retry-After") {
  HubFixture f;
  f.add_user("sam", "member");
  int limited_at = 0;
  for (int i = 1; i <= 8 && !limited_at; ++i) {
    auto r = f.call(Method::post, "/api/login", json{{"handle", "sam"}, {"password", "wrong password!"}}.dump());
    if (r.status == 429) {
      limited_at = i;
      CHECK(r.error_code() == "rate_limited");
      CHECK(std::stoi(std::string(r.headers.get("Retry-After"))) > 0);
    } else {
      CHECK(r.status == 401);
      CHECK(r.error_code() == "unauthenticated");
    }
  }
  CHECK(limited_at == 6);  // 5 per handle
  f.clock.advance(120);
  CHECK(f.call(Method::post, "/api/login", json{{"handle", "sam"}, {"password", HubFixture::kPassword}}.dump()).status == 200);
}

TEST_CASE("accounts: an unknown handle and a wrong password look the same") {
  HubFixture f;
  f.add_user("sam", "member");
  auto a = f.call(Method::post, "/api/login", json{{"handle", "sam"}, {"password", "wrong password!"}}.dump());
  auto b = f.call(Method::post, "/api/login", json{{"handle", "nobody"}, {"password", "wrong password!"}}.dump());
  CHECK(a.status == b.status);
  CHECK(a.json() == b.json());
}

TEST_CASE("accounts: logout ends the session, an expired session is refused") {
  HubFixture f;
  f.add_user("sam", "member");
  auto cookie = f.login("sam");
  CHECK(f.call(Method::get, "/api/me", "", cookie).status == 200);
  auto out = f.call(Method::post, "/api/logout", "{}", cookie);
  CHECK(out.status == 204);
  CHECK(std::string(out.headers.get("Set-Cookie")).find("Max-Age=0") != std::string::npos);
  CHECK(f.call(Method::get, "/api/me", "", cookie).status == 401);

  auto second = f.login("sam");
  f.clock.advance(14 * 24 * 3600 + 1);
  CHECK(f.call(Method::get, "/api/me", "", second).error_code() == "unauthenticated");
  CHECK(f.call(Method::get, "/api/me", "", "ch_session=forged-value").status == 401);
}

TEST_CASE("accounts: a cookie write without a same-origin Origin is refused and changes nothing") {
  HubFixture f;
  f.add_user("sam", "member");
  auto cookie = f.login("sam");
  http::Headers no_origin;
  no_origin.set("Origin", "http://evil.test");
  auto r = f.call(Method::post, "/api/tokens", json{{"name", "x"}}.dump(), cookie, no_origin);
  CHECK(r.status == 403);
  CHECK(f.count("api_tokens") == 0);
}

TEST_CASE("accounts: API tokens work as Bearer, are shown once, and stop working when revoked") {
  HubFixture f;
  f.add_user("sam", "member");
  auto cookie = f.login("sam");
  auto created = f.call(Method::post, "/api/tokens", json{{"name", "laptop"}}.dump(), cookie);
  REQUIRE(created.status == 201);
  std::string token = created.json()["token"];
  CHECK(token.rfind("chp_", 0) == 0);
  CHECK(f.bearer(Method::get, "/api/me", token).json()["handle"] == "sam");
  auto list = f.call(Method::get, "/api/tokens", "", cookie);
  CHECK(list.json()["items"].size() == 1);
  CHECK(list.body.find(token) == std::string::npos);
  // A bearer write needs no Origin (not a browser), and a bad bearer never falls back to the cookie.
  CHECK(f.bearer(Method::post, "/api/tokens", token, json{{"name", "ci"}}.dump()).status == 201);
  http::Headers bad;
  bad.set("Authorization", "Bearer chp_nope");
  CHECK(f.call(Method::get, "/api/me", "", cookie, bad).status == 401);
  auto id = created.json()["id"].get<std::int64_t>();
  CHECK(f.call(Method::delete_, "/api/tokens/" + std::to_string(id), "", cookie).status == 204);
  CHECK(f.bearer(Method::get, "/api/me", token).status == 401);
  CHECK(f.call(Method::delete_, "/api/tokens/" + std::to_string(id), "", cookie).status == 404);
}

TEST_CASE("accounts: who may invite whom") {
  HubFixture f;
  f.add_user("ada", "admin");
  auto mira = f.add_user("mira", "mentor");
  f.add_user("sam", "member");
  auto admin = f.login("ada"), mentor = f.login("mira"), member = f.login("sam");
  auto cohort = f.call(Method::post, "/api/cohorts", json{{"name", "C1"}, {"starts_on", "2026-01-05"}}.dump(), admin);
  auto cohort_id = cohort.json()["cohort"]["id"].get<std::int64_t>();
  auto other = f.call(Method::post, "/api/cohorts", json{{"name", "C2"}, {"starts_on", "2026-01-05"}}.dump(), admin);
  auto other_id = other.json()["cohort"]["id"].get<std::int64_t>();
  REQUIRE(f.hub->db().write_now([&](store::Connection& c) { return f.hub->membership().join(c, mira, cohort_id, 0); }).ok());

  auto post_invite = [&](const std::string& cookie, json body) {
    return f.call(Method::post, "/api/invites", body.dump(), cookie);
  };
  CHECK(post_invite(member, {{"role", "member"}}).status == 403);
  CHECK(post_invite(mentor, {{"role", "mentor"}, {"cohort_id", cohort_id}}).status == 403);
  CHECK(post_invite(mentor, {{"role", "member"}}).json()["error"]["field"] == "cohort_id");
  CHECK(post_invite(mentor, {{"role", "member"}, {"cohort_id", other_id}}).status == 403);
  CHECK(post_invite(mentor, {{"role", "member"}, {"cohort_id", cohort_id}}).status == 201);
  CHECK(post_invite(admin, {{"role", "admin"}}).status == 201);
  CHECK(post_invite(admin, {{"role", "owner"}}).json()["error"]["field"] == "role");
  CHECK(post_invite(admin, {{"role", "member"}, {"cohort_id", 999}}).json()["error"]["field"] == "cohort_id");
  CHECK(post_invite(admin, {{"role", "member"}, {"expires_in_days", 91}}).json()["error"]["field"] == "expires_in_days");
  // Invite lists never carry codes; a mentor sees only their own invites.
  auto all = f.call(Method::get, "/api/invites", "", admin).json();
  auto mine = f.call(Method::get, "/api/invites", "", mentor).json();
  CHECK(all["items"].size() == 2);
  CHECK(mine["items"].size() == 1);
  CHECK_FALSE(all["items"][0].contains("code"));
  CHECK(f.call(Method::get, "/api/invites", "", member).status == 403);
  CHECK(f.count("audit_log") >= 4);  // two cohorts, two invites
}

TEST_CASE("accounts: an invite with a cohort puts the new member in it") {
  HubFixture f;
  f.add_user("ada", "admin");
  auto admin = f.login("ada");
  auto cohort = f.call(Method::post, "/api/cohorts", json{{"name", "C1"}, {"starts_on", "2026-01-05"}}.dump(), admin);
  auto id = cohort.json()["cohort"]["id"].get<std::int64_t>();
  auto reg = f.call(Method::post, "/api/register", registration(f.invite(admin, "member", id), "noor"));
  REQUIRE(reg.status == 201);
  CHECK(reg.json()["user"]["cohort_ids"] == json::array({id}));
  auto members = f.call(Method::get, "/api/cohorts/" + std::to_string(id) + "/members", "", reg.set_cookie());
  CHECK(members.json()["items"][0]["handle"] == "noor");
}

TEST_CASE("accounts: one address is limited across handles (10, then 1 per 6 s)") {
  HubFixture f;
  for (int i = 0; i < 10; ++i) {
    auto r = f.call(Method::post, "/api/login", json{{"handle", "h" + std::to_string(i)}, {"password", "whatever at all"}}.dump());
    CHECK(r.status == 401);
  }
  auto limited = f.call(Method::post, "/api/login", json{{"handle", "fresh"}, {"password", "whatever at all"}}.dump());
  CHECK(limited.status == 429);
  CHECK(limited.headers.get("Retry-After") == "6");
  f.clock.advance(6);
  CHECK(f.call(Method::post, "/api/login", json{{"handle", "fresh"}, {"password", "whatever at all"}}.dump()).status == 401);
}

TEST_CASE("accounts: wrong passwords from one address do not lock the user out from another") {
  HubFixture f;
  f.add_user("sam", "member");
  f.remote_ip = "198.51.100.7";
  for (int i = 0; i < 5; ++i)
    CHECK(f.call(Method::post, "/api/login", json{{"handle", "sam"}, {"password", "wrong password!"}}.dump()).status == 401);
  CHECK(f.call(Method::post, "/api/login", json{{"handle", "sam"}, {"password", "wrong password!"}}.dump()).status == 429);
  f.remote_ip = "203.0.113.5";
  CHECK(f.call(Method::post, "/api/login", json{{"handle", "sam"}, {"password", HubFixture::kPassword}}.dump()).status == 200);
  // Nor does a correct password spend the handle's allowance for that address.
  for (int i = 0; i < 6; ++i)
    CHECK(f.call(Method::post, "/api/login", json{{"handle", "sam"}, {"password", HubFixture::kPassword}}.dump()).status == 200);
}

TEST_CASE("accounts: a password hashed at a lower cost is re-hashed at the configured cost on login") {
  HubFixture f(std::map<std::string, std::string>{{"COHORTHUB_AUTH_SCRYPT_LOG2_N", "11"}});
  f.add_user("sam", "member");  // hashed at 2^10
  auto stored = [&] {
    auto h = f.hub->db().read_now([&](store::Connection& c) -> http::Result<std::string> {
      auto s = c.prepare("SELECT password_hash FROM users WHERE handle = 'sam'");
      auto row = s.step();
      if (!row) return row.error();
      return s.text(0);
    });
    REQUIRE(h.ok());
    return *h;
  };
  REQUIRE(stored().rfind("$scrypt$ln=10,", 0) == 0);
  CHECK(f.call(Method::post, "/api/login", json{{"handle", "sam"}, {"password", "wrong password!"}}.dump()).status == 401);
  CHECK(stored().rfind("$scrypt$ln=10,", 0) == 0);  // only a successful login re-hashes
  f.login("sam");
  CHECK(stored().rfind("$scrypt$ln=11,", 0) == 0);
  f.login("sam");  // and the new hash verifies
}
