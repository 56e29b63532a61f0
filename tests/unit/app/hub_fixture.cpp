#include "tests/unit/app/hub_fixture.hpp"

#include <catch2/catch.hpp>

#include "hub/auth/account_store.hpp"
#include "hub/auth/password.hpp"

namespace hub::testing {

std::string Reply::error_code() const {
  auto j = json();
  return j.contains("error") ? j["error"].value("code", "") : "";
}

std::string Reply::set_cookie() const {
  std::string v(headers.get("Set-Cookie"));
  return v.substr(0, v.find(';'));
}

HubFixture::HubFixture(std::map<std::string, std::string> environment) {
  DataDir data{dir.path + "/data"};
  init_data_dir(data);
  // Cheap scrypt keeps the suite fast; the escape below the production floor is for tests only.
  environment.merge(std::map<std::string, std::string>{{"COHORTHUB_AUTH_SCRYPT_LOG2_N", "10"},
                                                       {"COHORTHUB_TEST_INSECURE_SCRYPT", "1"},
                                                       {"COHORTHUB_LOG_ACCESS", "false"}});
  Config config = load_config("", environment);
  hub = std::make_unique<Hub>(config, data, clock);
}

HubFixture::~HubFixture() = default;

Reply HubFixture::call(http::Method method, const std::string& target, const std::string& body,
                       const std::string& cookie, http::Headers extra) {
  http::Request req;
  req.method = method;
  req.target = target;
  auto q = target.find('?');
  req.path = target.substr(0, q);
  if (q != std::string::npos) req.query = target.substr(q + 1);
  req.remote_ip = remote_ip;
  req.headers.set("Host", "hub.test");
  if (http::is_state_changing(method)) {
    req.headers.set("Origin", "http://hub.test");
    if (method != http::Method::delete_) req.headers.set("Content-Type", "application/json");
  }
  if (!cookie.empty()) req.headers.set("Cookie", cookie);
  for (const auto [k, v] : extra) req.headers.set(k, v);
  req.body = body;
  auto res = run_coro(hub->service().handle(std::move(req)));
  return {res.status, res.headers, res.body};
}

Reply HubFixture::bearer(http::Method method, const std::string& target, const std::string& token,
                         const std::string& body) {
  http::Headers h;
  h.set("Authorization", "Bearer " + token);
  h.set("Origin", "");  // API clients send no Origin
  return call(method, target, body, "", h);
}

std::int64_t HubFixture::add_user(const std::string& handle, const std::string& role) {
  std::string hash = auth::hash_password(kPassword, 10);
  auto u = hub->db().write_now([&](store::Connection& c) {
    return auth::insert_user(c, handle, handle + " display", role, hash, clock.now());
  });
  REQUIRE(u.ok());
  return u->id;
}

std::string HubFixture::login(const std::string& handle) {
  auto r = call(http::Method::post, "/api/login",
                nlohmann::json{{"handle", handle}, {"password", kPassword}}.dump());
  REQUIRE(r.status == 200);
  return r.set_cookie();
}

std::string HubFixture::invite(const std::string& admin_cookie, const std::string& role, std::int64_t cohort_id) {
  nlohmann::json body = {{"role", role}};
  if (cohort_id) body["cohort_id"] = cohort_id;
  auto r = call(http::Method::post, "/api/invites", body.dump(), admin_cookie);
  REQUIRE(r.status == 201);
  return r.json()["code"];
}

std::int64_t HubFixture::count(const std::string& table) {
  auto n = hub->db().read_now([&](store::Connection& c) -> http::Result<std::int64_t> {
    auto s = c.prepare("SELECT count(*) FROM " + table);
    auto row = s.step();
    if (!row) return row.error();
    return s.int64(0);
  });
  REQUIRE(n.ok());
  return *n;
}

}  // namespace hub::testing
