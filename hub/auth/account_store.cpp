#include "hub/auth/account_store.hpp"

#include <algorithm>

#include "hub/http/clock.hpp"

namespace hub::auth {

store::Migration accounts_migration() {
  return {1, "accounts", R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  handle TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'mentor', 'member')),
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE sessions (
  key_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;
CREATE INDEX api_tokens_by_user ON api_tokens(user_id);
CREATE TABLE invites (
  id INTEGER PRIMARY KEY,
  code_hash TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'mentor', 'member')),
  cohort_id INTEGER,
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER,
  used_by INTEGER REFERENCES users(id)
) STRICT;
CREATE INDEX invites_by_creator ON invites(created_by, id);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor_id INTEGER REFERENCES users(id),
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}'
) STRICT;
)sql"};
}

bool is_valid_role(std::string_view role) { return role == "admin" || role == "mentor" || role == "member"; }

Result<std::string> normalize_handle(std::string_view handle) {
  std::string h(handle);
  std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::tolower(c); });
  auto ok_char = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'; };
  bool ok = h.size() >= 2 && h.size() <= 32 && std::all_of(h.begin(), h.end(), ok_char) &&
            std::isalnum(static_cast<unsigned char>(h[0]));
  if (!ok)
    return ApiError::invalid_field("handle",
                                   "A handle is 2 to 32 characters of a-z, 0-9, '_', '.' or '-', starting with a "
                                   "letter or digit.");
  return h;
}

Result<std::optional<LoginRecord>> find_login(Connection& db, const std::string& handle) {
  auto s = db.prepare("SELECT id, password_hash FROM users WHERE handle = ?1 AND disabled = 0");
  s.bind(1, std::string_view(handle));
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<LoginRecord>{};
  return std::optional<LoginRecord>(LoginRecord{s.int64(0), s.text(1)});
}

static User read_user(const store::Statement& s) { return {s.int64(0), s.text(1), s.text(2), s.text(3), s.int64(4)}; }

Result<User> get_user(Connection& db, std::int64_t id) {
  auto s = db.prepare("SELECT id, handle, display_name, role, created_at FROM users WHERE id = ?1");
  s.bind(1, id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return ApiError::not_found("No such user.");
  return read_user(s);
}

Result<UserCredentials> set_user_role(Connection& db, std::int64_t id, const std::string& role) {
  auto s = db.prepare("UPDATE users SET role = ?2 WHERE id = ?1");
  s.bind(1, id).bind(2, std::string_view(role));
  if (auto r = s.run(); !r) return r.error();
  if (db.changes() != 1) return ApiError::not_found("No such user.");
  UserCredentials out;
  auto sessions = db.prepare("SELECT key_hash FROM sessions WHERE user_id = ?1");
  sessions.bind(1, id);
  if (auto r = sessions.each_row([&] { out.sessions.push_back(sessions.text(0)); }); !r) return r.error();
  auto tokens = db.prepare("SELECT token_hash FROM api_tokens WHERE user_id = ?1 AND revoked_at IS NULL");
  tokens.bind(1, id);
  if (auto r = tokens.each_row([&] { out.tokens.push_back(tokens.text(0)); }); !r) return r.error();
  return out;
}

Result<std::vector<User>> list_users(Connection& db) {
  auto s = db.prepare("SELECT id, handle, display_name, role, created_at FROM users ORDER BY id");
  std::vector<User> out;
  if (auto done = s.each_row([&] { out.push_back(read_user(s)); }); !done) return done.error();
  return out;
}

Result<User> insert_user(Connection& db, const std::string& handle, const std::string& display_name,
                         const std::string& role, const std::string& password_hash, std::int64_t now) {
  auto taken = db.prepare("SELECT 1 FROM users WHERE handle = ?1");
  taken.bind(1, std::string_view(handle));
  auto row = taken.step();
  if (!row) return row.error();
  if (*row) return ApiError::invalid_field("handle", "That handle is taken; choose another.");
  auto s = db.prepare(
      "INSERT INTO users (handle, display_name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  s.bind(1, std::string_view(handle)).bind(2, std::string_view(display_name)).bind(3, std::string_view(role));
  s.bind(4, std::string_view(password_hash)).bind(5, now);
  if (auto r = s.run(); !r) return r.error();
  return User{db.last_insert_id(), handle, display_name, role, now};
}

Status insert_session(Connection& db, const std::string& key_hash, std::int64_t user_id, std::int64_t now,
                      std::int64_t expires_at) {
  auto purge = db.prepare("DELETE FROM sessions WHERE user_id = ?1 AND expires_at <= ?2");
  purge.bind(1, user_id).bind(2, now);
  if (auto r = purge.run(); !r) return r;
  auto s = db.prepare("INSERT INTO sessions (key_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)");
  s.bind(1, std::string_view(key_hash)).bind(2, user_id).bind(3, now).bind(4, expires_at);
  return s.run();
}

Status replace_password_hash(Connection& db, std::int64_t user_id, const std::string& old_hash,
                             const std::string& new_hash) {
  auto s = db.prepare("UPDATE users SET password_hash = ?3 WHERE id = ?1 AND password_hash = ?2");
  s.bind(1, user_id).bind(2, std::string_view(old_hash)).bind(3, std::string_view(new_hash));
  return s.run();
}

Status delete_session(Connection& db, const std::string& key_hash) {
  auto s = db.prepare("DELETE FROM sessions WHERE key_hash = ?1");
  s.bind(1, std::string_view(key_hash));
  return s.run();
}

static Result<std::optional<http::Principal>> read_principal(store::Statement& s, bool via_cookie,
                                                             const std::string& key) {
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<http::Principal>{};
  http::Principal p;
  p.user_id = s.int64(0);
  p.handle = s.text(1);
  p.role = s.text(2);
  p.via_cookie = via_cookie;
  p.session_key = key;  // sessions and tokens alike: what ends live connections opened with it
  if (via_cookie) p.expires_at = s.int64(3);
  return std::optional<http::Principal>(std::move(p));
}

Result<std::optional<http::Principal>> principal_for_session(Connection& db, const std::string& key_hash,
                                                             std::int64_t now) {
  auto s = db.prepare(
      "SELECT u.id, u.handle, u.role, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id "
      "WHERE s.key_hash = ?1 AND s.expires_at > ?2 AND u.disabled = 0");
  s.bind(1, std::string_view(key_hash)).bind(2, now);
  return read_principal(s, true, key_hash);
}

Result<std::optional<http::Principal>> principal_for_token(Connection& db, const std::string& token_hash) {
  auto s = db.prepare(
      "SELECT u.id, u.handle, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id "
      "WHERE t.token_hash = ?1 AND t.revoked_at IS NULL AND u.disabled = 0");
  s.bind(1, std::string_view(token_hash));
  return read_principal(s, false, token_hash);
}

Result<std::int64_t> insert_token(Connection& db, std::int64_t user_id, const std::string& name,
                                  const std::string& token_hash, std::int64_t now) {
  auto s = db.prepare("INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?1, ?2, ?3, ?4)");
  s.bind(1, user_id).bind(2, std::string_view(name)).bind(3, std::string_view(token_hash)).bind(4, now);
  if (auto r = s.run(); !r) return r.error();
  return db.last_insert_id();
}

Result<nlohmann::json> list_tokens(Connection& db, std::int64_t user_id) {
  auto s = db.prepare(
      "SELECT id, name, created_at FROM api_tokens WHERE user_id = ?1 AND revoked_at IS NULL ORDER BY id DESC");
  s.bind(1, user_id);
  nlohmann::json items = nlohmann::json::array();
  auto done = s.each_row([&] {
    items.push_back({{"id", s.int64(0)}, {"name", s.text(1)}, {"created_at", format_rfc3339(s.int64(2))}});
  });
  if (!done) return done.error();
  return nlohmann::json{{"items", std::move(items)}, {"next_cursor", nullptr}};
}

Result<std::optional<std::int64_t>> token_owner(Connection& db, std::int64_t token_id) {
  auto s = db.prepare("SELECT user_id FROM api_tokens WHERE id = ?1 AND revoked_at IS NULL");
  s.bind(1, token_id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>(s.int64(0));
}

Result<std::string> revoke_token(Connection& db, std::int64_t user_id, std::int64_t token_id, std::int64_t now) {
  auto s = db.prepare(
      "UPDATE api_tokens SET revoked_at = ?3 WHERE id = ?1 AND user_id = ?2 AND revoked_at IS NULL "
      "RETURNING token_hash");
  s.bind(1, token_id).bind(2, user_id).bind(3, now);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return ApiError::not_found("You have no such token.");
  std::string hash = s.text(0);
  if (auto done = s.run(); !done) return done.error();
  return hash;
}

Result<std::int64_t> insert_invite(Connection& db, const std::string& code_hash, const std::string& role,
                                   std::optional<std::int64_t> cohort_id, std::int64_t created_by, std::int64_t now,
                                   std::int64_t expires_at) {
  auto s = db.prepare(
      "INSERT INTO invites (code_hash, role, cohort_id, created_by, created_at, expires_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  s.bind(1, std::string_view(code_hash)).bind(2, std::string_view(role)).bind(3, cohort_id);
  s.bind(4, created_by ? std::optional<std::int64_t>(created_by) : std::nullopt).bind(5, now).bind(6, expires_at);
  if (auto r = s.run(); !r) return r.error();
  return db.last_insert_id();
}

Result<Invite> find_open_invite(Connection& db, const std::string& code_hash, std::int64_t now) {
  auto s = db.prepare("SELECT id, role, cohort_id, expires_at, used_at, used_by FROM invites WHERE code_hash = ?1");
  s.bind(1, std::string_view(code_hash));
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return ApiError::invalid_field("invite_code", "That invite code is not valid.");
  if (!s.is_null(4) && s.is_null(5)) return ApiError::invalid_field("invite_code", "That invite has been withdrawn.");
  if (!s.is_null(4)) return ApiError::invalid_field("invite_code", "That invite code has already been used.");
  if (s.int64(3) <= now) return ApiError::invalid_field("invite_code", "That invite code has expired.");
  return Invite{s.int64(0), s.text(1), s.optional_int64(2), s.int64(3)};
}

Status redeem_invite(Connection& db, std::int64_t invite_id, std::int64_t user_id, std::int64_t now) {
  auto s = db.prepare("UPDATE invites SET used_at = ?2, used_by = ?3 WHERE id = ?1 AND used_at IS NULL");
  s.bind(1, invite_id).bind(2, now).bind(3, user_id);
  if (auto r = s.run(); !r) return r;
  if (db.changes() != 1) return ApiError::invalid_field("invite_code", "That invite code has already been used.");
  return http::Ok{};
}

Result<std::optional<std::int64_t>> invite_creator(Connection& db, std::int64_t id) {
  auto s = db.prepare("SELECT coalesce(created_by, 0) FROM invites WHERE id = ?1");
  s.bind(1, id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(s.int64(0));
}

Status revoke_invite(Connection& db, std::int64_t id, std::int64_t now) {
  auto s = db.prepare("UPDATE invites SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL");
  s.bind(1, id).bind(2, now);
  if (auto r = s.run(); !r) return r;
  if (db.changes() != 1) return ApiError::conflict("That invite was already used or withdrawn.");
  return http::Ok{};
}

Result<nlohmann::json> list_invites(Connection& db, std::optional<std::int64_t> creator, const http::Page& page,
                                    std::int64_t now) {
  auto s = db.prepare(
      "SELECT i.id, i.role, i.cohort_id, i.created_at, i.expires_at, i.used_at, u.handle FROM invites i "
      "LEFT JOIN users u ON u.id = i.used_by "
      "WHERE (?1 IS NULL OR i.created_by = ?1) AND (?2 = 0 OR i.id < ?2) ORDER BY i.id DESC LIMIT ?3");
  s.bind(1, creator).bind(2, page.after).bind(3, static_cast<std::int64_t>(page.limit + 1));
  nlohmann::json items = nlohmann::json::array();
  auto done = s.each_row([&] {
    std::string status = !s.is_null(5) ? (s.is_null(6) ? "revoked" : "used") : s.int64(4) <= now ? "expired" : "pending";
    items.push_back({{"id", s.int64(0)},
                     {"role", s.text(1)},
                     {"cohort_id", s.is_null(2) ? nlohmann::json(nullptr) : nlohmann::json(s.int64(2))},
                     {"created_at", format_rfc3339(s.int64(3))},
                     {"expires_at", format_rfc3339(s.int64(4))},
                     {"used_at", s.is_null(5) ? nlohmann::json(nullptr) : nlohmann::json(format_rfc3339(s.int64(5)))},
                     {"used_by", s.is_null(6) ? nlohmann::json(nullptr) : nlohmann::json(s.text(6))},
                     {"status", status}});
  });
  if (!done) return done.error();
  return http::page_body(std::move(items), page);
}

Status audit(Connection& db, std::int64_t actor_id, const std::string& action, const std::string& target,
             const nlohmann::json& detail, std::int64_t now) {
  auto s = db.prepare("INSERT INTO audit_log (at, actor_id, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5)");
  s.bind(1, now).bind(2, actor_id ? std::optional<std::int64_t>(actor_id) : std::nullopt);
  s.bind(3, std::string_view(action)).bind(4, std::string_view(target)).bind(5, std::string_view(detail.dump()));
  return s.run();
}

}  // namespace hub::auth
