#include "hub/sharing/sharing_store.hpp"

#include "hub/http/clock.hpp"
#include "hub/sharing/vocabulary.hpp"

namespace hub::sharing {

using nlohmann::json;

store::Migration sharing_migration(int version) {
  return {version, "sharing", R"sql(
CREATE TABLE engagements (
  id INTEGER PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  sealed BLOB NOT NULL,            -- AES-256-GCM: nonce || ciphertext || tag, AAD = id and owner
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX engagements_by_owner ON engagements(owner_id, id);
CREATE TABLE waves (
  id INTEGER PRIMARY KEY,
  closed_at INTEGER NOT NULL,
  closed_by TEXT NOT NULL,         -- 'admin' | 'schedule'
  rates TEXT NOT NULL              -- the published rates document
) STRICT;
CREATE TABLE wave_success (
  wave_id INTEGER NOT NULL REFERENCES waves(id) ON DELETE CASCADE,
  cohort_id INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (cohort_id, wave_id)
) STRICT, WITHOUT ROWID;
-- The shared copies of the last closed wave: coarse fields, keyed by HMAC-SHA256(K, member id).
CREATE TABLE shared_engagements (
  wave_id INTEGER NOT NULL,
  pseudonym BLOB NOT NULL,
  tier TEXT NOT NULL,
  region TEXT NOT NULL,
  ecosystem TEXT NOT NULL,
  amount INTEGER NOT NULL,
  days_to_sign INTEGER NOT NULL,
  survival_days INTEGER NOT NULL,
  churned INTEGER NOT NULL,
  first_renewed INTEGER
) STRICT;
CREATE TABLE shared_memberships (
  wave_id INTEGER NOT NULL,
  pseudonym BLOB NOT NULL,
  cohort_id INTEGER NOT NULL,
  join_quarter TEXT NOT NULL,
  days_to_first_client INTEGER
) STRICT;
-- Each cell as last published, and the pseudonyms that had contributed to it then.
CREATE TABLE published_cells (
  cell TEXT PRIMARY KEY,
  wave_id INTEGER NOT NULL,
  figures TEXT NOT NULL,
  contributors BLOB NOT NULL       -- sorted 32-byte pseudonyms, concatenated
) STRICT;
)sql"};
}

std::string engagement_aad(std::int64_t id, std::int64_t owner_id) {
  return "cohorthub/engagement/" + std::to_string(id) + "/" + std::to_string(owner_id);
}

Result<std::int64_t> insert_engagement(Connection& db, const RecordCipher& cipher, std::int64_t owner_id,
                                       const Engagement& e, std::int64_t now) {
  // The id is part of the AAD, so take it first, then seal.
  auto s = db.prepare("INSERT INTO engagements (owner_id, sealed, created_at, updated_at) VALUES (?1, x'', ?2, ?2)");
  s.bind(1, owner_id).bind(2, now);
  if (auto r = s.run(); !r) return r.error();
  const std::int64_t id = db.last_insert_id();
  if (auto r = update_engagement(db, cipher, owner_id, id, e, now); !r) return r.error();
  return id;
}

Status update_engagement(Connection& db, const RecordCipher& cipher, std::int64_t owner_id, std::int64_t id,
                         const Engagement& e, std::int64_t now) {
  auto s = db.prepare("UPDATE engagements SET sealed = ?1, updated_at = ?2 WHERE id = ?3 AND owner_id = ?4");
  const std::string sealed = cipher.seal(to_sealed_text(e), engagement_aad(id, owner_id));
  s.bind_blob(1, sealed).bind(2, now).bind(3, id).bind(4, owner_id);
  return s.run();
}

namespace {
Result<Engagement> open_row(const RecordCipher& cipher, std::int64_t id, std::int64_t owner_id, const std::string& sealed) {
  auto text = cipher.open(sealed, engagement_aad(id, owner_id));
  if (!text) return http::ApiError::internal("A stored engagement could not be decrypted.");
  auto e = from_sealed_text(*text);
  if (!e) return http::ApiError::internal("A stored engagement is malformed.");
  return *e;
}
}  // namespace

Result<std::optional<Engagement>> find_engagement(Connection& db, const RecordCipher& cipher, std::int64_t owner_id,
                                                  std::int64_t id) {
  auto s = db.prepare("SELECT sealed FROM engagements WHERE id = ?1 AND owner_id = ?2");
  s.bind(1, id).bind(2, owner_id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<Engagement>{};
  auto e = open_row(cipher, id, owner_id, s.text(0));
  if (!e) return e.error();
  return std::optional<Engagement>(std::move(*e));
}

Result<bool> delete_engagement(Connection& db, std::int64_t owner_id, std::int64_t id) {
  auto s = db.prepare("DELETE FROM engagements WHERE id = ?1 AND owner_id = ?2");
  s.bind(1, id).bind(2, owner_id);
  if (auto r = s.run(); !r) return r.error();
  return db.changes() > 0;
}

Result<std::vector<std::pair<std::int64_t, Engagement>>> list_engagements(Connection& db, const RecordCipher& cipher,
                                                                          std::int64_t owner_id, const http::Page& page) {
  auto s = db.prepare("SELECT id, sealed FROM engagements WHERE owner_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3");
  s.bind(1, owner_id).bind(2, page.after).bind(3, static_cast<std::int64_t>(page.limit + 1));
  std::vector<std::pair<std::int64_t, Engagement>> out;
  Status unreadable = http::Ok{};  // the first row that failed to open
  auto listed = s.each_row([&] {
    if (!unreadable) return;
    auto e = open_row(cipher, s.int64(0), owner_id, s.text(1));
    if (e) out.emplace_back(s.int64(0), std::move(*e));
    else unreadable = e.error();
  });
  if (!listed) return listed.error();
  if (!unreadable) return unreadable.error();
  return out;
}

Result<std::optional<std::int64_t>> engagement_owner(Connection& db, std::int64_t id) {
  auto s = db.prepare("SELECT owner_id FROM engagements WHERE id = ?1");
  s.bind(1, id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>(s.int64(0));
}

Result<WaveInputs> load_wave_inputs(Connection& db) {
  WaveInputs in;
  auto rows = db.prepare("SELECT id, owner_id, sealed FROM engagements ORDER BY id");
  auto members = db.prepare("SELECT user_id, cohort_id, joined_at FROM cohort_members");
  auto cohorts = db.prepare("SELECT id FROM cohorts ORDER BY id");
  auto cells = db.prepare("SELECT cell, figures, contributors FROM published_cells");
  for (auto s : {rows.each_row([&] { in.rows.push_back({rows.int64(0), rows.int64(1), rows.text(2)}); }),
                 members.each_row([&] { in.members.push_back({members.int64(0), members.int64(1), members.int64(2)}); }),
                 cohorts.each_row([&] { in.cohort_ids.push_back(cohorts.int64(0)); }),
                 cells.each_row([&] {
                   PublishedCell c;
                   c.figures = json::parse(cells.text(1), nullptr, false);
                   const std::string blob = cells.text(2);
                   for (std::size_t i = 0; i + 32 <= blob.size(); i += 32) c.contributors.push_back(blob.substr(i, 32));
                   in.previous.emplace(cells.text(0), std::move(c));
                 })})
    if (!s) return s.error();
  return in;
}

Result<ClosedWave> store_wave(Connection& db, std::int64_t now, const std::string& closed_by,
                              const std::vector<SharedRecord>& records, const std::vector<SharedMembership>& memberships,
                              const WaveResult& result, bool noise) {
  auto w = db.prepare("INSERT INTO waves (closed_at, closed_by, rates) VALUES (?1, ?2, '')");
  w.bind(1, now).bind(2, std::string_view(closed_by));
  if (auto r = w.run(); !r) return r.error();
  ClosedWave out{db.last_insert_id(), now, {}};
  json table = json::object();
  for (const auto& [code, rate] : currency_table()) table[code] = static_cast<double>(rate) / 1e6;
  json doc = {{"wave", {{"id", out.id}, {"closed_at", format_rfc3339(now)}}},
              {"reporting_currency", kReportingCurrency},
              {"currency_table", table},
              {"noise", noise},
              {"tables", result.tables}};
  out.rates_document = doc.dump(-1, ' ', false, json::error_handler_t::replace);
  auto set = db.prepare("UPDATE waves SET rates = ?1 WHERE id = ?2");
  set.bind(1, std::string_view(out.rates_document)).bind(2, out.id);
  if (auto r = set.run(); !r) return r.error();
  for (const auto& [cohort, body] : result.success) {
    auto s = db.prepare("INSERT INTO wave_success (wave_id, cohort_id, body) VALUES (?1, ?2, ?3)");
    s.bind(1, out.id).bind(2, cohort).bind(3, std::string_view(body.dump()));
    if (auto r = s.run(); !r) return r.error();
  }
  if (auto r = db.exec("DELETE FROM shared_engagements; DELETE FROM shared_memberships;"); !r) return r.error();
  // A Statement resets when its handle goes out of scope: one handle per row.
  constexpr const char* kSharedEngagement =
      "INSERT INTO shared_engagements (wave_id, pseudonym, tier, region, ecosystem, amount, days_to_sign, "
      "survival_days, churned, first_renewed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
  for (const auto& r : records) {
    auto se = db.prepare(kSharedEngagement);
    se.bind(1, out.id).bind_blob(2, r.pseudonym).bind(3, std::string_view(r.tier)).bind(4, std::string_view(r.region));
    se.bind(5, std::string_view(r.ecosystem)).bind(6, r.amount).bind(7, r.days_to_sign).bind(8, r.survival_days);
    se.bind(9, std::int64_t{r.churned});
    se.bind(10, r.first_renewed ? std::optional<std::int64_t>(*r.first_renewed) : std::nullopt);
    if (auto x = se.run(); !x) return x.error();
  }
  for (const auto& m : memberships) {
    auto sm = db.prepare(
        "INSERT INTO shared_memberships (wave_id, pseudonym, cohort_id, join_quarter, days_to_first_client) "
        "VALUES (?1, ?2, ?3, ?4, ?5)");
    sm.bind(1, out.id).bind_blob(2, m.pseudonym).bind(3, m.cohort_id).bind(4, std::string_view(m.join_quarter));
    sm.bind(5, m.days_to_first_client);
    if (auto x = sm.run(); !x) return x.error();
  }
  for (const auto& name : result.republished) {
    auto cell = db.prepare(
        "INSERT INTO published_cells (cell, wave_id, figures, contributors) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (cell) DO UPDATE SET wave_id = excluded.wave_id, figures = excluded.figures, "
        "contributors = excluded.contributors");
    const auto& c = result.cells.at(name);
    std::string blob;
    for (const auto& p : c.contributors) blob += p;
    cell.bind(1, std::string_view(name)).bind(2, out.id).bind(3, std::string_view(c.figures.dump())).bind_blob(4, blob);
    if (auto x = cell.run(); !x) return x.error();
  }
  return out;
}

Result<std::optional<std::string>> last_rates_document(Connection& db) {
  auto s = db.prepare("SELECT rates FROM waves ORDER BY id DESC LIMIT 1");
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>{};
  return std::optional<std::string>(s.text(0));
}

Result<std::optional<json>> last_success(Connection& db, std::int64_t cohort_id) {
  auto s = db.prepare(
      "SELECT s.body, w.id, w.closed_at FROM wave_success s JOIN waves w ON w.id = s.wave_id "
      "WHERE s.cohort_id = ?1 ORDER BY s.wave_id DESC LIMIT 1");
  s.bind(1, cohort_id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<json>{};
  json body = json::parse(s.text(0), nullptr, false);
  body["wave"] = {{"id", s.int64(1)}, {"closed_at", format_rfc3339(s.int64(2))}};
  return std::optional<json>(std::move(body));
}

Result<std::optional<std::int64_t>> last_wave_time(Connection& db) {
  auto s = db.prepare("SELECT closed_at FROM waves ORDER BY id DESC LIMIT 1");
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>(s.int64(0));
}

}  // namespace hub::sharing
