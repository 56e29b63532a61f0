// A hub with one cohort, its channels and people, for the discussion tests.
#pragma once

#include <catch2/catch.hpp>

#include "tests/unit/app/hub_fixture.hpp"

namespace hub::testing {

struct DiscussionFixture : HubFixture {
  DiscussionFixture() {
    add_user("ada", "admin");
    add_user("mia", "mentor");
    add_user("sam", "member");
    add_user("lee", "member");  // not in the cohort
    admin = login("ada");
    mentor = login("mia");
    sam = login("sam");
    lee = login("lee");
    auto c = call(http::Method::post, "/api/cohorts", R"({"name":"Autumn","starts_on":"2026-09-07"})", admin);
    REQUIRE(c.status == 201);
    cohort = c.json()["cohort"]["id"];
    for (const char* h : {"mia", "sam"})
      REQUIRE(call(http::Method::post, "/api/cohorts/" + std::to_string(cohort) + "/members",
                   nlohmann::json{{"handle", h}}.dump(), admin)
                  .status == 200);
    channel = create_channel(admin, {{"name", "general"}, {"cohort_id", cohort}});
    lobby = create_channel(admin, {{"name", "lobby"}});
  }

  std::int64_t create_channel(const std::string& cookie, nlohmann::json body) {
    auto r = call(http::Method::post, "/api/channels", body.dump(), cookie);
    REQUIRE(r.status == 201);
    return r.json()["channel"]["id"];
  }
  Reply post(const std::string& cookie, std::int64_t ch, nlohmann::json body) {
    return call(http::Method::post, "/api/channels/" + std::to_string(ch) + "/messages", body.dump(), cookie);
  }
  Reply say(const std::string& cookie, const std::string& text, std::int64_t ch = 0) {
    return post(cookie, ch ? ch : channel, {{"body", text}});
  }
  std::int64_t said(const std::string& cookie, const std::string& text, std::int64_t ch = 0) {
    auto r = say(cookie, text, ch);
    REQUIRE(r.status == 201);
    return r.json()["message"]["id"];
  }
  std::string msg(std::int64_t id) { return "/api/messages/" + std::to_string(id); }
  std::string msgs(std::int64_t ch) { return "/api/channels/" + std::to_string(ch) + "/messages"; }

  std::string admin, mentor, sam, lee;
  std::int64_t cohort = 0, channel = 0, lobby = 0;
};

}  // namespace hub::testing
