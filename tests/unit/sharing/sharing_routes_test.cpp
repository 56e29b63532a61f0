#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "hub/sharing/wave_publisher.hpp"
#include "tests/unit/app/hub_fixture.hpp"

using namespace hub;
using hub::http::Method;
using hub::testing::HubFixture;
using nlohmann::json;

namespace {

json deal(const std::string& label, std::int64_t amount) {
  return {{"label", label},           {"stage", "signed"},    {"tier", "sustaining"},
          {"annual_amount", amount},  {"currency", "EUR"},    {"ecosystem", "rust"},
          {"region", "europe"},       {"hours_per_month", 6}, {"channel", "referral"},
          {"first_contact_on", "2026-01-10"}, {"signed_on", "2026-02-01"}, {"shared", true},
          {"notes", "note-" + label}};
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// How SQLite would store `v` in an INTEGER column (big-endian two's complement, the smallest of 1, 2,
// 3, 4, 6 or 8 bytes that holds it) and in a REAL column (big-endian IEEE 754): a scan for the text
// alone would miss both.
std::vector<std::string> stored_forms(std::int64_t v) {
  std::vector<std::string> forms;
  for (int bytes : {1, 2, 3, 4, 6, 8}) {
    const int bits = 8 * bytes - 1;
    if (bytes < 8 && (v >= (std::int64_t{1} << bits) || v < -(std::int64_t{1} << bits))) continue;
    std::string be;
    for (int i = bytes - 1; i >= 0; --i) be += static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff);
    forms.push_back(be);
    break;
  }
  const double d = static_cast<double>(v);
  std::uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  std::string real;
  for (int i = 7; i >= 0; --i) real += static_cast<char>((u >> (8 * i)) & 0xff);
  forms.push_back(real);
  return forms;
}

// The columns of `engagements` the design keeps in the clear, each with the reason it must.
const std::map<std::string, const char*> kClearColumns = {
    {"id", "the row's identity; the sealed blob's AAD binds it"},
    {"owner_id", "lists a member's own pipeline (and deletes it with the account); the AAD binds it"},
    {"created_at", "when the row was made: row metadata, documented in docs/privacy.md"},
    {"updated_at", "when the row last changed: row metadata, documented in docs/privacy.md"},
};

// Every other column that is not an opaque sealed BLOB, by declared type or by a stored value that
// is not a blob at least as long as a nonce and a tag. Empty when the schema keeps its promise.
std::vector<std::string> plaintext_engagement_columns(HubFixture& f) {
  auto found = f.hub->db().read_now([](store::Connection& c) -> http::Result<std::vector<std::string>> {
    std::vector<std::pair<std::string, std::string>> columns;
    auto info = c.prepare("SELECT name, type FROM pragma_table_info('engagements')");
    if (auto s = info.each_row([&] { columns.emplace_back(info.text(0), info.text(1)); }); !s) return s.error();
    std::vector<std::string> plain;
    for (const auto& [name, type] : columns) {
      if (kClearColumns.count(name)) continue;
      if (type != "BLOB") {
        plain.push_back(name + " " + type);
        continue;
      }
      auto values = c.prepare("SELECT count(*) FROM engagements WHERE typeof(\"" + name + "\") != 'blob' OR length(\"" +
                              name + "\") < 28");
      auto row = values.step();
      if (!row) return row.error();
      if (values.int64(0) > 0) plain.push_back(name + " holds values that are not sealed");
    }
    return plain;
  });
  REQUIRE(found.ok());
  return *found;
}

}  // namespace

TEST_CASE("engagements: only the author ever sees or changes a row, admins included") {
  HubFixture f;
  f.add_user("ada", "admin");
  f.add_user("sam", "member");
  f.add_user("lee", "member");
  auto admin = f.login("ada"), sam = f.login("sam"), lee = f.login("lee");
  auto made = f.call(Method::post, "/api/engagements", deal("Acme", 48000).dump(), sam);
  REQUIRE(made.status == 201);
  const auto id = std::to_string(made.json()["engagement"]["id"].get<std::int64_t>());
  CHECK(f.call(Method::get, "/api/engagements/" + id, "", sam).json()["engagement"]["label"] == "Acme");
  for (const auto& other : {lee, admin}) {
    CHECK(f.call(Method::get, "/api/engagements/" + id, "", other).status == 404);
    CHECK(f.call(Method::patch, "/api/engagements/" + id, R"({"label":"Mine now"})", other).status == 404);
    CHECK(f.call(Method::post, "/api/engagements/" + id + "/renewals",
                 R"({"outcome":"churned","decided_on":"2027-02-01"})", other).status == 404);
    CHECK(f.call(Method::delete_, "/api/engagements/" + id, "", other).status == 404);
    CHECK(f.call(Method::get, "/api/engagements", "", other).json()["items"].empty());
  }
  CHECK(f.call(Method::get, "/api/engagements/" + id, "", sam).json()["engagement"]["label"] == "Acme");
  CHECK(f.call(Method::patch, "/api/engagements/" + id, R"({"stage":"active"})", sam).json()["engagement"]["stage"] == "active");
  CHECK(f.call(Method::delete_, "/api/engagements/" + id, "", sam).status == 204);
  CHECK(f.count("engagements") == 0);
}

TEST_CASE("engagements: bad input gets a 4xx naming the field, and nothing changes") {
  HubFixture f;
  f.add_user("sam", "member");
  auto sam = f.login("sam");
  auto bad = [&](const char* field, json value) {
    json b = deal("Acme", 48000);
    b[field] = value;
    auto r = f.call(Method::post, "/api/engagements", b.dump(), sam);
    CHECK(r.status == 400);
    CHECK(r.json()["error"]["field"] == field);
  };
  bad("tier", "gold");
  bad("annual_amount", -1);
  bad("annual_amount", 5'000'000'000);
  bad("currency", "ZZZ");
  bad("signed_on", "2025-01-01");
  CHECK(f.count("engagements") == 0);
  auto made = f.call(Method::post, "/api/engagements", deal("Acme", 48000).dump(), sam);
  const auto id = std::to_string(made.json()["engagement"]["id"].get<std::int64_t>());
  auto r = f.call(Method::patch, "/api/engagements/" + id, R"({"label":"Renamed","first_contact_on":"2026-05-01"})", sam);
  CHECK(r.json()["error"]["field"] == "signed_on");
  r = f.call(Method::post, "/api/engagements/" + id + "/renewals", R"({"outcome":"renewed","decided_on":"2026-01-15"})", sam);
  CHECK(r.json()["error"]["field"] == "decided_on");
  auto now = f.call(Method::get, "/api/engagements/" + id, "", sam).json()["engagement"];
  CHECK(now["label"] == "Acme");
  CHECK(now["renewals"].empty());
}

TEST_CASE("engagements: the database files (with -wal) contain no label, amount or note") {
  HubFixture f;
  f.add_user("ada", "admin");
  f.add_user("sam", "member");
  auto sam = f.login("sam"), admin = f.login("ada");
  REQUIRE(f.call(Method::post, "/api/engagements", deal("zebra-client-q7x", 987'654).dump(), sam).status == 201);
  REQUIRE(f.call(Method::post, "/api/waves/close", "", admin).status == 201);
  const std::string db = f.dir.path + "/data/cohorthub.db";
  const std::string all = file_bytes(db) + file_bytes(db + "-wal");
  REQUIRE(all.size() > 4096);
  CHECK(all.find("zebra-client-q7x") == std::string::npos);
  CHECK(all.find("note-zebra") == std::string::npos);
  CHECK(all.find("987654") == std::string::npos);
  CHECK(all.find("987,654") == std::string::npos);
  CHECK(all.find("referral") == std::string::npos);  // the channel is sealed too
  // An amount as SQLite would store it in an INTEGER (a varint-sized big-endian integer) or REAL
  // column: 87,654,321 takes 4 bytes, so a chance match in the file is about 1 in 40,000.
  REQUIRE(f.call(Method::post, "/api/engagements", deal("yak-client", 87'654'321).dump(), sam).status == 201);
  const std::string again = file_bytes(db) + file_bytes(db + "-wal");
  CHECK(again.find("87654321") == std::string::npos);
  for (const auto& form : stored_forms(87'654'321)) CHECK(again.find(form) == std::string::npos);
  // ...yet the author reads it back.
  auto mine = f.call(Method::get, "/api/engagements", "", sam).json();
  CHECK(mine["items"][0]["annual_amount"] == 987'654);
}

TEST_CASE("engagements: every column but the ids and timestamps is a sealed BLOB") {
  HubFixture f;
  f.add_user("sam", "member");
  auto sam = f.login("sam");
  REQUIRE(f.call(Method::post, "/api/engagements", deal("Acme", 48'000).dump(), sam).status == 201);
  CHECK(plaintext_engagement_columns(f).empty());
  CHECK(stored_forms(87'654'321).front() == std::string("\x05\x39\x7f\xb1", 4));
}

TEST_CASE("engagements: the schema check catches a plaintext column added beside the sealed blob") {
  HubFixture f;
  f.add_user("sam", "member");
  auto sam = f.login("sam");
  REQUIRE(f.call(Method::post, "/api/engagements", deal("Acme", 48'000).dump(), sam).status == 201);
  auto altered = f.hub->db().write_now([](store::Connection& c) {
    return c.exec("ALTER TABLE engagements ADD COLUMN annual_amount INTEGER; "
                  "ALTER TABLE engagements ADD COLUMN tier_blob BLOB; UPDATE engagements SET tier_blob = x'01';");
  });
  REQUIRE(altered.ok());
  CHECK(plaintext_engagement_columns(f) ==
        std::vector<std::string>{"annual_amount INTEGER", "tier_blob holds values that are not sealed"});
}

TEST_CASE("waves: only an admin closes a wave, rates and success come from the published wave") {
  HubFixture f;
  f.add_user("ada", "admin");
  auto sam_id = f.add_user("sam", "member");
  f.add_user("lee", "member");
  auto admin = f.login("ada"), sam = f.login("sam"), lee = f.login("lee");
  CHECK(f.call(Method::get, "/api/rates", "", sam).json()["wave"].is_null());
  CHECK(f.call(Method::post, "/api/waves/close", "", sam).status == 403);
  auto cohort = f.call(Method::post, "/api/cohorts", R"({"name":"C1","starts_on":"2026-01-05"})", admin).json();
  const auto cid = std::to_string(cohort["cohort"]["id"].get<std::int64_t>());
  REQUIRE(f.call(Method::post, "/api/cohorts/" + cid + "/members", R"({"handle":"sam"})", admin).status == 200);
  (void)sam_id;
  auto closed = f.call(Method::post, "/api/waves/close", "", admin);
  REQUIRE(closed.status == 201);
  auto rates = f.call(Method::get, "/api/rates", "", sam).json();
  CHECK(rates["wave"]["id"] == closed.json()["wave"]["id"]);
  CHECK(rates["tables"].size() == 3);
  auto position = f.call(Method::get, "/api/rates/position?tier=sustaining&annual_amount=50000&currency=EUR", "", sam);
  CHECK(position.status == 200);
  CHECK(position.json()["position"].is_null());  // nobody shares yet
  CHECK(f.call(Method::get, "/api/rates/position?tier=gold&annual_amount=5&currency=EUR", "", sam).json()["error"]["field"] == "tier");
  CHECK(f.call(Method::get, "/api/cohorts/" + cid + "/success", "", sam).json()["wave"]["id"] == closed.json()["wave"]["id"]);
  CHECK(f.call(Method::get, "/api/cohorts/" + cid + "/success", "", lee).status == 404);
}

TEST_CASE("waves: differencing fails through the store too: one more member moves no figure, noise on") {
  HubFixture f;  // noise is on by default
  f.add_user("ada", "admin");
  auto admin = f.login("ada");
  auto share = [&](int i) {
    f.add_user("m" + std::to_string(i), "member");
    f.clock.advance(60);  // the per-address login budget refills
    auto cookie = f.login("m" + std::to_string(i));
    REQUIRE(f.call(Method::post, "/api/engagements", deal("c" + std::to_string(i), 40'000 + 1000 * i).dump(), cookie).status == 201);
  };
  for (int i = 0; i < 12; ++i) share(i);
  REQUIRE(f.call(Method::post, "/api/waves/close", "", admin).status == 201);
  const json first = f.call(Method::get, "/api/rates", "", admin).json();
  share(12);
  share(13);
  REQUIRE(f.call(Method::post, "/api/waves/close", "", admin).status == 201);
  const json second = f.call(Method::get, "/api/rates", "", admin).json();
  CHECK(second["wave"]["id"] != first["wave"]["id"]);
  CHECK(second["tables"] == first["tables"]);
  CHECK(f.count("shared_engagements") == 14);
  share(14);  // the third newcomer: the cells they joined are republished
  REQUIRE(f.call(Method::post, "/api/waves/close", "", admin).status == 201);
  CHECK(f.call(Method::get, "/api/rates", "", admin).json()["tables"] != first["tables"]);
}

TEST_CASE("waves: differencing the success figures fails through the store: prospect-only members republish nothing, noise on") {
  HubFixture f;  // noise is on by default
  f.add_user("ada", "admin");
  auto admin = f.login("ada");
  auto cohort = f.call(Method::post, "/api/cohorts", R"({"name":"C1","starts_on":"2026-01-05"})", admin).json();
  const auto cid = std::to_string(cohort["cohort"]["id"].get<std::int64_t>());
  auto join = [&](int i, json engagement) {
    const std::string handle = "s" + std::to_string(i);
    f.add_user(handle, "member");
    REQUIRE(f.call(Method::post, "/api/cohorts/" + cid + "/members", json{{"handle", handle}}.dump(), admin).status == 200);
    f.clock.advance(60);  // the per-address login budget refills
    auto cookie = f.login(handle);
    auto made = f.call(Method::post, "/api/engagements", engagement.dump(), cookie);
    REQUIRE(made.status == 201);
    return std::make_pair(cookie, std::to_string(made.json()["engagement"]["id"].get<std::int64_t>()));
  };
  std::vector<std::pair<std::string, std::string>> team;
  for (int i = 0; i < 12; ++i) team.push_back(join(i, deal("c" + std::to_string(i), 40'000)));
  REQUIRE(f.call(Method::post, "/api/waves/close", "", admin).status == 201);
  json before = f.call(Method::get, "/api/cohorts/" + cid + "/success", "", team[0].first).json();
  // One member churns; three accounts that share only a prospect join the cohort.
  REQUIRE(f.call(Method::post, "/api/engagements/" + team[3].second + "/renewals",
                 R"({"outcome":"churned","decided_on":"2026-03-01"})", team[3].first).status == 201);
  for (int i = 100; i < 103; ++i) {
    json prospect = deal("p" + std::to_string(i), 10'000);
    prospect["stage"] = "prospect";
    prospect.erase("signed_on");
    join(i, prospect);
  }
  REQUIRE(f.call(Method::post, "/api/waves/close", "", admin).status == 201);
  json after = f.call(Method::get, "/api/cohorts/" + cid + "/success", "", team[0].first).json();
  CHECK(after["wave"]["id"] != before["wave"]["id"]);
  before.erase("wave");
  after.erase("wave");
  CHECK(after == before);
}

TEST_CASE("config: [privacy] and [sharing] settings, COHORTHUB_PRIVACY_NOISE=off, and bad values refused") {
  DataDir data{"/nonexistent"};
  auto defaults = sharing_options_from(load_config("", {}), data);
  CHECK(defaults.disclosure.noise);  // noise defaults to on
  CHECK(defaults.disclosure.epsilon.num == 1);
  CHECK(defaults.hmac_key_file == "/nonexistent/keys/pseudonym-hmac.key");
  auto off = sharing_options_from(
      load_config("", {{"COHORTHUB_PRIVACY_NOISE", "off"}, {"COHORTHUB_PRIVACY_EPSILON", "0.25"},
                       {"COHORTHUB_SHARING_QUIET_WEEKS", "3"}, {"COHORTHUB_SHARING_WAVE_DAYS", "30"}}),
      data);
  CHECK_FALSE(off.disclosure.noise);
  CHECK(off.disclosure.epsilon.num == 1);
  CHECK(off.disclosure.epsilon.den == 4);
  CHECK(off.quiet_weeks == 3);
  CHECK(off.wave_days == 30);
  CHECK_THROWS(sharing_options_from(load_config("", {{"COHORTHUB_PRIVACY_NOISE", "maybe"}}), data));
  for (const char* bad : {"0", "abc", "1.2345", "101", ""})
    CHECK_THROWS(sharing_options_from(load_config("", {{"COHORTHUB_PRIVACY_EPSILON", bad}}), data));
}

TEST_CASE("waves: the schedule closes a wave when the last one is wave_days old") {
  HubFixture f;
  const std::string keys = f.dir.path + "/data/keys";
  sharing::RecordCipher cipher(sharing::load_key_file(keys + "/records-aes256.key"));
  sharing::Pseudonymizer pseudonyms(sharing::load_key_file(keys + "/pseudonym-hmac.key"));
  sharing::WavePublisher publisher(f.hub->db(), f.hub->cpu(), f.clock, cipher, pseudonyms, {},
                                   std::make_unique<sharing::SeededRandomness>("schedule"));
  CHECK_FALSE(publisher.close_if_due(0));  // 0: only an admin closes
  CHECK(publisher.close_if_due(7));         // no wave yet
  CHECK_FALSE(publisher.close_if_due(7));
  f.clock.advance(6 * 86400);
  CHECK_FALSE(publisher.close_if_due(7));
  f.clock.advance(86400);
  CHECK(publisher.close_if_due(7));
  CHECK(f.count("waves") == 2);
}
