// The bridge's admin API through the whole hub (router, pipeline, policy), without sockets.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "bridge/outbox.hpp"
#include "tests/unit/discussion/discussion_fixture.hpp"

using namespace hub;
using http::Method;
using nlohmann::json;

namespace {

struct AdminFixture : testing::DiscussionFixture {
  testing::Reply map(const std::string& cookie, json body) {
    return call(Method::post, "/api/bridge/mappings", body.dump(), cookie);
  }
};

}  // namespace

TEST_CASE("bridge admin: an admin maps a channel to a room, lists it, reads its status and unmaps it") {
  AdminFixture f;
  auto made = f.map(f.admin, {{"channel_id", f.channel}, {"network", "matrix"}, {"remote_id", "!abc:hs.example"}});
  REQUIRE(made.status == 201);
  const auto m = made.json()["mapping"];
  CHECK(m["channel_id"] == f.channel);
  CHECK(m["channel_name"] == "general");
  CHECK(m["network"] == "matrix");
  CHECK(m["remote_id"] == "!abc:hs.example");
  CHECK(m["last_in"].is_null());
  CHECK(m["lag"] == 0);
  const std::string id = std::to_string(m["id"].get<std::int64_t>());

  auto listed = f.call(Method::get, "/api/bridge/mappings", "", f.admin);
  REQUIRE(listed.status == 200);
  REQUIRE(listed.json()["items"].size() == 1);

  // A parked message shows in the status, and "retry" queues it again.
  REQUIRE(f.hub->db().write_now([&](store::Connection& c) -> http::Status {
    auto q = bridge::enqueue(c, {discussion::Network::matrix, f.channel, 7, "{}"}, f.clock.now() - 30);
    if (!q) return q.error();
    auto p = bridge::mark_failed(c, "matrix:7", "M_FORBIDDEN", f.clock.now(), std::nullopt, {1, 1, 1}, 0);
    if (!p) return p.error();
    return http::Ok{};
  }));
  auto status = f.call(Method::get, "/api/bridge/mappings/" + id + "/status", "", f.admin);
  REQUIRE(status.status == 200);
  REQUIRE(status.json()["parked"].size() == 1);
  CHECK(status.json()["parked"][0]["id"] == "matrix:7");
  CHECK(status.json()["parked"][0]["error"] == "M_FORBIDDEN");
  CHECK(status.json()["parked_count"] == 1);
  auto retried = f.call(Method::post, "/api/bridge/parked/matrix:7/retry", "", f.admin);
  CHECK(retried.status == 200);
  auto after = f.call(Method::get, "/api/bridge/mappings/" + id + "/status", "", f.admin).json();
  CHECK(after["parked"].empty());
  CHECK(after["pending"] == 1);
  CHECK(after["lag"] == 30);  // the message has waited since it was queued
  CHECK(f.call(Method::post, "/api/bridge/parked/matrix:7/retry", "", f.admin).status == 404);  // not parked now

  REQUIRE(f.call(Method::delete_, "/api/bridge/mappings/" + id, "", f.admin).status == 204);
  CHECK(f.count("bridge_outbox") == 0);  // what waited for that room is not sent
  CHECK(f.call(Method::delete_, "/api/bridge/mappings/" + id, "", f.admin).status == 404);
  CHECK(f.call(Method::get, "/api/bridge/mappings/" + id + "/status", "", f.admin).status == 404);
  CHECK(f.count("audit_log") >= 3);
}

TEST_CASE("bridge admin: bad input is a clear 4xx and writes nothing, only admins may use it") {
  AdminFixture f;
  auto code = [&](json body) { return f.map(f.admin, body); };
  CHECK(code({{"channel_id", f.channel}, {"network", "irc"}, {"remote_id", "!a:b"}}).error_code() == "invalid_field");
  CHECK(code({{"channel_id", f.channel}, {"network", "hub"}, {"remote_id", "!a:b"}}).status == 400);
  CHECK(code({{"channel_id", f.channel}, {"network", "matrix"}, {"remote_id", "#alias:b"}}).status == 400);
  CHECK(code({{"channel_id", f.channel}, {"network", "slack"}, {"remote_id", "general"}}).status == 400);
  CHECK(code({{"channel_id", 9999}, {"network", "matrix"}, {"remote_id", "!a:b"}}).status == 400);
  CHECK(code({{"network", "matrix"}, {"remote_id", "!a:b"}}).status == 400);
  CHECK(f.call(Method::post, "/api/bridge/mappings", "{not json", f.admin).status == 400);
  CHECK(f.count("bridge_mappings") == 0);
  REQUIRE(code({{"channel_id", f.channel}, {"network", "slack"}, {"remote_id", "C0123ABCD"}}).status == 201);
  CHECK(code({{"channel_id", f.channel}, {"network", "slack"}, {"remote_id", "C0999ZZZZ"}}).status == 409);
  CHECK(code({{"channel_id", f.lobby}, {"network", "slack"}, {"remote_id", "C0123ABCD"}}).status == 409);
  CHECK(f.count("bridge_mappings") == 1);

  const json body{{"channel_id", f.lobby}, {"network", "matrix"}, {"remote_id", "!x:hs.example"}};
  for (const auto& cookie : {f.mentor, f.sam, f.lee}) {
    CHECK(f.map(cookie, body).status == 403);
    CHECK(f.call(Method::get, "/api/bridge/mappings", "", cookie).status == 403);
    CHECK(f.call(Method::get, "/api/bridge/mappings/1/status", "", cookie).status == 403);
    CHECK(f.call(Method::delete_, "/api/bridge/mappings/1", "", cookie).status == 403);
    CHECK(f.call(Method::post, "/api/bridge/parked/matrix:1/retry", "", cookie).status == 403);
  }
  CHECK(f.call(Method::get, "/api/bridge/mappings", "", "").status == 401);
  CHECK(f.map("", body).status == 401);
  CHECK(f.count("bridge_mappings") == 1);
}
