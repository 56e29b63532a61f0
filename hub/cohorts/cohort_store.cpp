#include "hub/cohorts/cohort_store.hpp"

#include "hub/http/clock.hpp"

namespace hub::cohorts {

using nlohmann::json;

store::Migration cohorts_migration() {
  return {2, "cohorts", R"sql(
CREATE TABLE cohorts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  starts_on TEXT NOT NULL,
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL
) STRICT;
CREATE TABLE cohort_members (
  cohort_id INTEGER NOT NULL REFERENCES cohorts(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  joined_at INTEGER NOT NULL,
  PRIMARY KEY (cohort_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX cohort_members_by_user ON cohort_members(user_id, cohort_id);
)sql"};
}

namespace {
constexpr const char* kCohortColumns =
    "SELECT c.id, c.name, c.starts_on, c.created_at, "
    "(SELECT count(*) FROM cohort_members m WHERE m.cohort_id = c.id) FROM cohorts c ";

json read_cohort(const store::Statement& s) {
  return {{"id", s.int64(0)},
          {"name", s.text(1)},
          {"starts_on", s.text(2)},
          {"created_at", format_rfc3339(s.int64(3))},
          {"member_count", s.int64(4)}};
}
}  // namespace

Result<json> insert_cohort(Connection& db, const std::string& name, const std::string& starts_on,
                           std::int64_t created_by, std::int64_t now) {
  auto taken = db.prepare("SELECT 1 FROM cohorts WHERE name = ?1");
  taken.bind(1, std::string_view(name));
  auto row = taken.step();
  if (!row) return row.error();
  if (*row) return ApiError::conflict("A cohort with that name exists already.");
  auto s = db.prepare("INSERT INTO cohorts (name, starts_on, created_by, created_at) VALUES (?1, ?2, ?3, ?4)");
  s.bind(1, std::string_view(name)).bind(2, std::string_view(starts_on));
  s.bind(3, created_by ? std::optional<std::int64_t>(created_by) : std::nullopt).bind(4, now);
  if (auto r = s.run(); !r) return r.error();
  return json{{"id", db.last_insert_id()},
              {"name", name},
              {"starts_on", starts_on},
              {"created_at", format_rfc3339(now)},
              {"member_count", 0}};
}

Result<std::optional<json>> get_cohort(Connection& db, std::int64_t id) {
  auto s = db.prepare(std::string(kCohortColumns) + "WHERE c.id = ?1");
  s.bind(1, id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<json>{};
  return std::optional<json>(read_cohort(s));
}

Result<json> list_cohorts(Connection& db, std::optional<std::int64_t> member_id, const http::Page& page) {
  auto s = db.prepare(std::string(kCohortColumns) +
                      "WHERE c.id > ?2 AND (?1 IS NULL OR EXISTS (SELECT 1 FROM cohort_members m "
                      "WHERE m.cohort_id = c.id AND m.user_id = ?1)) ORDER BY c.id LIMIT ?3");
  s.bind(1, member_id).bind(2, page.after).bind(3, static_cast<std::int64_t>(page.limit + 1));
  json items = json::array();
  if (auto done = s.each_row([&] { items.push_back(read_cohort(s)); }); !done) return done.error();
  return http::page_body(std::move(items), page);
}

Result<json> list_members(Connection& db, std::int64_t cohort_id, const http::Page& page) {
  auto s = db.prepare(
      "SELECT u.id, u.handle, u.display_name, u.role, m.joined_at FROM cohort_members m "
      "JOIN users u ON u.id = m.user_id WHERE m.cohort_id = ?1 AND u.id > ?2 AND u.disabled = 0 "
      "ORDER BY u.id LIMIT ?3");
  s.bind(1, cohort_id).bind(2, page.after).bind(3, static_cast<std::int64_t>(page.limit + 1));
  json items = json::array();
  auto done = s.each_row([&] {
    items.push_back({{"id", s.int64(0)},
                     {"handle", s.text(1)},
                     {"display_name", s.text(2)},
                     {"role", s.text(3)},
                     {"joined_at", format_rfc3339(s.int64(4))}});
  });
  if (!done) return done.error();
  return http::page_body(std::move(items), page);
}

Result<bool> remove_member(Connection& db, std::int64_t cohort_id, std::int64_t user_id) {
  auto s = db.prepare("DELETE FROM cohort_members WHERE cohort_id = ?1 AND user_id = ?2");
  s.bind(1, cohort_id).bind(2, user_id);
  if (auto r = s.run(); !r) return r.error();
  return db.changes() == 1;
}

bool CohortMembership::cohort_exists(Connection& db, std::int64_t cohort_id) {
  auto s = db.prepare("SELECT 1 FROM cohorts WHERE id = ?1");
  s.bind(1, cohort_id);
  auto row = s.step();
  return row && *row;
}

bool CohortMembership::is_member(Connection& db, std::int64_t user_id, std::int64_t cohort_id) {
  auto s = db.prepare("SELECT 1 FROM cohort_members WHERE cohort_id = ?1 AND user_id = ?2");
  s.bind(1, cohort_id).bind(2, user_id);
  auto row = s.step();
  return row && *row;
}

Status CohortMembership::join(Connection& db, std::int64_t user_id, std::int64_t cohort_id, std::int64_t now) {
  auto s = db.prepare(
      "INSERT INTO cohort_members (cohort_id, user_id, joined_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT DO NOTHING");
  s.bind(1, cohort_id).bind(2, user_id).bind(3, now);
  return s.run();
}

std::vector<std::int64_t> CohortMembership::cohorts_of(Connection& db, std::int64_t user_id) {
  auto s = db.prepare("SELECT cohort_id FROM cohort_members WHERE user_id = ?1 ORDER BY cohort_id");
  s.bind(1, user_id);
  std::vector<std::int64_t> out;
  // A storage error leaves the list short: the seam has no error path, and fewer cohorts only refuses more.
  (void)s.each_row([&] { out.push_back(s.int64(0)); });
  return out;
}

}  // namespace hub::cohorts
