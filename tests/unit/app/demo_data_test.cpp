// The demo community: what it contains, that the pages have something to show, and that the same
// seed and day build the same community.
#include <catch2/catch.hpp>

#include "hub/auth/account_store.hpp"
#include "hub/demo/demo_session.hpp"
#include "hub/demo_data.hpp"
#include "tests/unit/support/run_coro.hpp"

namespace hub::testing {
namespace {

using nlohmann::json;

constexpr std::int64_t kToday = 1'800'000'000;  // 2027-01-15

Config demo_config() {
  return load_config("", {{"COHORTHUB_AUTH_SCRYPT_LOG2_N", "10"},
                          {"COHORTHUB_TEST_INSECURE_SCRYPT", "1"},
                          {"COHORTHUB_LOG_ACCESS", "false"}});
}

// One loaded demo, opened as a hub that reads it through its routes.
struct LoadedDemo {
  TempDir tmp;
  DataDir dir{tmp.path + "/data"};
  FakeClock clock{kToday};
  std::string logins;
  std::unique_ptr<Hub> hub;
  std::unique_ptr<demo::DemoSession> as;
  std::map<std::string, std::int64_t> ids;  // handle -> user id
  std::int64_t sessions_left = -1;           // sessions the demo left behind

  LoadedDemo() {
    init_data_dir(dir);
    logins = load_demo(dir, demo_config(), clock);
    hub = std::make_unique<Hub>(demo_config(), dir, clock);
    sessions_left = count("SELECT count(*) FROM sessions");
    as = std::make_unique<demo::DemoSession>(*hub, clock, kToday + 3600);
    auto users = hub->db().read_now([](store::Connection& c) { return auth::list_users(c); });
    REQUIRE(users.ok());
    for (const auto& u : *users) ids[u.handle] = u.id;
  }
  json get(const std::string& handle, const std::string& path) { return as->get(ids.at(handle), path); }
  std::int64_t count(const std::string& sql) {
    auto n = hub->db().read_now([&](store::Connection& c) -> http::Result<std::int64_t> {
      auto s = c.prepare(sql);
      auto row = s.step();
      if (!row) return row.error();
      return s.int64(0);
    });
    REQUIRE(n.ok());
    return *n;
  }
  // What a visitor sees of the community, minus what is random by design (keys, noise, tokens).
  json fingerprint() {
    json f;
    f["cohorts"] = get("ada", "/api/cohorts");
    f["sam"] = get("sam", "/api/engagements?limit=200");
    f["jonas"] = get("jonas", "/api/engagements?limit=200");
    f["channels"] = get("ada", "/api/channels");
    const json channels = f["channels"]["items"];
    for (const auto& ch : channels)
      f["messages"].push_back(get("ada", "/api/channels/" + std::to_string(ch["id"].get<std::int64_t>()) + "/messages?limit=200"));
    f["playbook"] = get("sam", "/api/playbooks/first-month/revisions");
    f["assignments"] = get("jonas", "/api/assignments");
    return f;
  }
};

LoadedDemo& shared_demo() {
  static LoadedDemo demo;
  return demo;
}

}  // namespace

TEST_CASE("demo: about sixty people in three cohorts, and the original six logins") {
  auto& d = shared_demo();
  CHECK(d.ids.size() == 60);
  for (const char* h : {"ada", "mira", "sam", "lee", "noor", "jonas"}) {
    CHECK(d.ids.count(h) == 1);
    CHECK(d.logins.find(std::string("  ") + h + "  (") != std::string::npos);
  }
  CHECK(d.get("ada", "/api/cohorts")["items"].size() == 3);
  CHECK(d.count("SELECT count(DISTINCT role) FROM users") == 3);
  CHECK(is_demo(d.dir));
  CHECK(d.sessions_left == 0);  // the demo's own sessions ended with it
}

TEST_CASE("demo: six closed waves publish rates with some cells suppressed, and an answer to where I stand") {
  auto& d = shared_demo();
  CHECK(d.count("SELECT count(*) FROM waves") == 6);
  json rates = d.get("sam", "/api/rates");
  int published = 0, suppressed = 0;
  for (const auto& table : rates["tables"])
    for (const auto& cell : table["cells"]) (cell.value("suppressed", false) ? suppressed : published) += 1;
  CHECK(published > suppressed);
  CHECK(suppressed > 0);
  json place = d.get("sam", "/api/rates/position?tier=sustaining&annual_amount=40000&currency=USD");
  CHECK_FALSE(place.contains("reason"));
}

TEST_CASE("demo: the oldest cohort's success has a first-renewal rate and a survival curve with bounds") {
  auto& d = shared_demo();
  const auto cohort = d.get("ada", "/api/cohorts")["items"][0]["id"].get<std::int64_t>();
  json success = d.get("sam", "/api/cohorts/" + std::to_string(cohort) + "/success");
  INFO(success.dump());
  CHECK(success["first_renewal"].contains("rate"));
  REQUIRE(success["survival"].size() > 1);
  CHECK(success["survival"][1].contains("lower"));
}

TEST_CASE("demo: pipelines follow the facts: signed, renewed, churned, lost and open deals") {
  auto& d = shared_demo();
  CHECK(d.count("SELECT count(*) FROM engagements") > 100);
  std::map<std::string, int> stages;
  for (const auto& [handle, id] : d.ids) {
    if (handle == "ada" || handle == "olu") continue;
    const json mine = d.get(handle, "/api/engagements?limit=200");
    for (const auto& e : mine["items"]) stages[e["stage"]] += 1;
  }
  for (const char* s : {"prospect", "quoted", "active", "renewed", "churned", "lost"}) {
    INFO(s);
    CHECK(stages[s] > 0);
  }
  CHECK(stages["renewed"] > 3 * stages["churned"]);  // about the B2B retention rate
}

TEST_CASE("demo: conversations with threads, reactions, mentions and edits, playbooks and mentoring") {
  auto& d = shared_demo();
  CHECK(d.count("SELECT count(*) FROM channels") == 5);
  CHECK(d.count("SELECT count(*) FROM messages WHERE thread_root IS NOT NULL") > 30);
  CHECK(d.count("SELECT count(*) FROM reactions") > 10);
  CHECK(d.count("SELECT count(*) FROM message_mentions") > 5);
  CHECK(d.count("SELECT count(*) FROM message_edits") >= 3);
  CHECK(d.get("sam", "/api/playbooks/talking-about-rates")["revision"] == 4);
  json proposals = d.get("sam", "/api/playbooks/first-month/proposals");
  std::map<std::string, int> states;
  for (const auto& p : proposals["items"]) states[p["state"]] += 1;
  CHECK(states["merged"] == 1);
  CHECK(states["open"] == 1);
  json mine = d.get("jonas", "/api/assignments");
  REQUIRE(mine["items"].size() == 1);
  INFO(mine.dump());
  CHECK(mine["items"][0]["progress"]["overdue"].get<int>() > 0);
  CHECK(mine["items"][0]["progress"]["done"].get<int>() == 2);
}

TEST_CASE("demo: loading twice changes nothing, the same seed and day give the same community") {
  auto& d = shared_demo();
  CHECK(load_demo(d.dir, demo_config(), d.clock) == d.logins);
  CHECK(d.count("SELECT count(*) FROM users") == 60);
  LoadedDemo again;
  CHECK(again.fingerprint() == d.fingerprint());
}

}  // namespace hub::testing
