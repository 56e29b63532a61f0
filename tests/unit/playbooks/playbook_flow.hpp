// Helpers shared by the playbook flow tests: a hub with a few users, and short calls.
#pragma once

#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/unit/app/hub_fixture.hpp"

namespace hub::testing {

using nlohmann::json;

struct PlaybookHub {
  HubFixture f;
  std::int64_t ada_id = f.add_user("ada", "admin");
  std::int64_t mira_id = f.add_user("mira", "mentor");
  std::int64_t sam_id = f.add_user("sam", "member");
  std::int64_t lee_id = f.add_user("lee", "member");
  std::string ada = f.login("ada"), mira = f.login("mira"), sam = f.login("sam"), lee = f.login("lee");

  Reply get(const std::string& path, const std::string& cookie) { return f.call(http::Method::get, path, "", cookie); }
  Reply post(const std::string& path, const json& body, const std::string& cookie) {
    return f.call(http::Method::post, path, body.dump(), cookie);
  }
  Reply put(const std::string& path, const json& body, const std::string& cookie) {
    return f.call(http::Method::put, path, body.dump(), cookie);
  }
  Reply patch(const std::string& path, const json& body, const std::string& cookie) {
    return f.call(http::Method::patch, path, body.dump(), cookie);
  }
  // Creates a playbook and checks it worked.
  json create(const std::string& slug, const std::string& content, const std::string& cookie,
              json extra = json::object()) {
    json body = {{"slug", slug}, {"title", "Playbook " + slug}, {"content", content}};
    body.update(extra);
    auto r = post("/api/playbooks", body, cookie);
    INFO(r.body);
    REQUIRE(r.status == 201);
    return r.json();
  }
  Reply save(const std::string& slug, int base, const std::string& content, const std::string& cookie) {
    return put("/api/playbooks/" + slug, {{"base_revision", base}, {"content", content}, {"summary", "edit"}}, cookie);
  }
};

}  // namespace hub::testing
