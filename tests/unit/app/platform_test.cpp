#include <catch2/catch.hpp>

#include <set>

#include "tests/unit/app/hub_fixture.hpp"

using namespace hub;
using hub::http::Method;
using hub::testing::HubFixture;
using nlohmann::json;

namespace {
std::string lower(std::string_view m) {
  std::string s(m);
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

TEST_CASE("openapi: every registered route is described, and nothing else is") {
  HubFixture f;
  auto doc = json::parse(openapi_document());
  REQUIRE(doc["openapi"].get<std::string>().rfind("3.", 0) == 0);
  std::set<std::pair<std::string, std::string>> registered;
  for (const auto& r : f.hub->router().routes()) {
    registered.insert({r.pattern, lower(http::method_name(r.method))});
    INFO(http::method_name(r.method) << " " << r.pattern);
    REQUIRE(doc["paths"].contains(r.pattern));
    CHECK(doc["paths"][r.pattern].contains(lower(http::method_name(r.method))));
  }
  for (auto& [path, item] : doc["paths"].items())
    for (auto& [method, op] : item.items()) {
      if (method == "parameters") continue;
      INFO(method << " " << path);
      CHECK(registered.count({path, method}) == 1);
      CHECK(op.contains("responses"));
    }
  auto served = f.call(Method::get, "/api/openapi.json");
  CHECK(served.status == 200);
  CHECK(json::parse(served.body) == doc);
}

TEST_CASE("openapi: fragments may hold UTF-8 text, served byte for byte") {
  auto doc = json::parse(openapi_document());
  CHECK(doc["info"]["description"].get<std::string>().find("(1\xe2\x80\x93" "200, default 50)") != std::string::npos);
}

TEST_CASE("platform: healthz, and every response carries the security headers and a request id") {
  HubFixture f;
  auto r = f.call(Method::get, "/healthz");
  CHECK(r.status == 200);
  CHECK(r.json() == json{{"status", "ok"}});
  // A response that is not a page may load nothing at all if opened as one.
  CHECK(r.headers.get("Content-Security-Policy") == "default-src 'none'; frame-ancestors 'none'");
  CHECK(f.call(Method::get, "/api/nope").headers.get("Content-Security-Policy") == r.headers.get("Content-Security-Policy"));
  CHECK(r.headers.get("X-Content-Type-Options") == "nosniff");
  CHECK(r.headers.get("X-Frame-Options") == "DENY");
  CHECK(r.headers.get("Cache-Control") == "no-store");
  CHECK_FALSE(r.headers.get("X-Request-Id").empty());
  CHECK(f.call(Method::get, "/healthz").headers.get("X-Request-Id") != r.headers.get("X-Request-Id"));
}

TEST_CASE("platform: pages get the front end's CSP: own scripts and styles, no inline, no framing") {
  HubFixture f;
  for (const char* path : {"/", "/login", "/js/app.js"}) {
    INFO(path);
    auto page = f.call(Method::get, path);
    REQUIRE(page.status == 200);
    const std::string csp(page.headers.get("Content-Security-Policy"));
    CHECK(csp.find("default-src 'self'") != std::string::npos);
    CHECK(csp.find("script-src 'self';") != std::string::npos);  // no 'unsafe-inline'
    CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
    CHECK(csp.find("unsafe") == std::string::npos);
  }
}

TEST_CASE("platform: unknown routes are 404 and wrong methods 405, both as JSON errors") {
  HubFixture f;
  auto missing = f.call(Method::get, "/api/nope");
  CHECK(missing.status == 404);
  CHECK(missing.error_code() == "not_found");
  auto wrong = f.call(Method::delete_, "/api/login");
  CHECK(wrong.status == 405);
  CHECK(wrong.json()["error"]["message"].is_string());
}

TEST_CASE("platform: /metrics answers admins only, in Prometheus text") {
  HubFixture f;
  f.add_user("ada", "admin");
  f.call(Method::get, "/healthz");
  auto r = f.call(Method::get, "/metrics", "", f.login("ada"));
  REQUIRE(r.status == 200);
  CHECK(r.body.find("cohorthub_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1") != std::string::npos);
  CHECK(r.body.find("cohorthub_db_queue_depth") != std::string::npos);
  http::Request far;
  far.method = Method::get;
  far.path = far.target = "/metrics";
  far.remote_ip = "203.0.113.9";
  CHECK(testing::run_coro(f.hub->service().handle(std::move(far))).status == 401);
  // Behind the documented proxy every request comes from loopback: that is no credential.
  CHECK(f.call(Method::get, "/metrics").status == 401);
  f.add_user("mo", "member");
  CHECK(f.call(Method::get, "/metrics", "", f.login("mo")).status == 403);
}

TEST_CASE("platform: the web front end is served with the SPA fallback, API paths are not") {
  HubFixture f;
  auto page = f.call(Method::get, "/login");
  CHECK(page.status == 200);
  CHECK(page.headers.get("Content-Type") == "text/html; charset=utf-8");
  CHECK(f.call(Method::get, "/api/unknown-thing").status == 404);
}
