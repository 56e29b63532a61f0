#include "hub/mail/outbox.hpp"

#include <algorithm>

#include "hub/http/clock.hpp"

namespace hub::mail {

store::Migration mail_migration(int version) {
  return {version, "mail", R"sql(
CREATE TABLE mail_outbox (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
  recipient TEXT NOT NULL,
  message_id TEXT NOT NULL UNIQUE,
  mime TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'parked')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER NOT NULL,
  last_error TEXT,
  created_ms INTEGER NOT NULL,
  sent_ms INTEGER
) STRICT;
CREATE INDEX mail_outbox_due ON mail_outbox(state, next_attempt_ms);
CREATE TABLE mail_preferences (
  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  address TEXT NOT NULL DEFAULT '',
  digest TEXT NOT NULL DEFAULT 'weekly' CHECK (digest IN ('daily', 'weekly', 'off')),
  mentions INTEGER NOT NULL DEFAULT 1,
  reviews INTEGER NOT NULL DEFAULT 1,
  renewals INTEGER NOT NULL DEFAULT 1,
  mentees INTEGER NOT NULL DEFAULT 1,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE TABLE mail_unsubscribe_used (
  nonce TEXT PRIMARY KEY,
  used_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE mail_cursors (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE mail_digest_runs (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  period TEXT NOT NULL,
  PRIMARY KEY (user_id, period)
) STRICT, WITHOUT ROWID;
)sql"};
}

Status enqueue(Connection& db, const Prepared& m, std::int64_t now_ms) {
  auto st = db.prepare(
      "INSERT INTO mail_outbox (kind, user_id, recipient, message_id, mime, state, next_attempt_ms, created_ms) "
      "VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)");
  st.bind(1, std::string_view(m.kind)).bind(2, m.user_id).bind(3, std::string_view(m.recipient));
  st.bind(4, std::string_view(m.message_id)).bind(5, std::string_view(m.mime));
  st.bind(6, now_ms).bind(7, now_ms);
  return st.run();
}

Result<std::optional<Claimed>> claim_due(Connection& db, std::int64_t now_ms) {
  auto st = db.prepare(
      "SELECT id, recipient, message_id, mime, attempts FROM mail_outbox WHERE state = 'queued' AND "
      "next_attempt_ms <= ? ORDER BY next_attempt_ms, id LIMIT 1");
  st.bind(1, now_ms);
  auto row = st.step();
  if (!row) return row.error();
  if (!*row) return std::optional<Claimed>();
  Claimed c{st.int64(0), st.text(1), st.text(2), st.text(3), st.int64(4) + 1};
  auto mark = db.prepare("UPDATE mail_outbox SET state = 'sending', attempts = ? WHERE id = ?");
  mark.bind(1, c.attempts).bind(2, c.id);
  if (auto s = mark.run(); !s) return s.error();
  return std::optional<Claimed>(std::move(c));
}

Status record_sent(Connection& db, std::int64_t id, std::int64_t now_ms) {
  auto st = db.prepare(
      "UPDATE mail_outbox SET state = 'sent', mime = '', last_error = NULL, sent_ms = ? WHERE id = ? AND "
      "state = 'sending'");
  st.bind(1, now_ms).bind(2, id);
  return st.run();
}

Status record_failure(Connection& db, std::int64_t id, const std::string& error, const RetryPolicy& policy,
                      std::int64_t now_ms) {
  auto st = db.prepare("SELECT attempts FROM mail_outbox WHERE id = ? AND state = 'sending'");
  st.bind(1, id);
  auto row = st.step();
  if (!row) return row.error();
  if (!*row) return http::Ok{};
  const std::int64_t attempts = st.int64(0);
  const bool park = attempts >= policy.max_attempts;
  std::int64_t delay = policy.base_ms;
  for (std::int64_t i = 1; i < attempts && delay < policy.cap_ms; ++i) delay *= 2;
  delay = std::min(delay, policy.cap_ms);
  auto update = db.prepare("UPDATE mail_outbox SET state = ?, next_attempt_ms = ?, last_error = ? WHERE id = ?");
  update.bind(1, std::string_view(park ? "parked" : "queued")).bind(2, now_ms + delay);
  update.bind(3, std::string_view(error).substr(0, 500)).bind(4, id);
  return update.run();
}

Result<int> park_interrupted(Connection& db, std::int64_t now_ms) {
  auto st = db.prepare(
      "UPDATE mail_outbox SET state = 'parked', next_attempt_ms = ?, last_error = 'interrupted while sending: "
      "it may or may not have been delivered; retry it only if the recipient did not get it' WHERE state = 'sending'");
  st.bind(1, now_ms);
  if (auto s = st.run(); !s) return s.error();
  return db.changes();
}

Status retry_parked(Connection& db, std::int64_t id, std::int64_t now_ms) {
  auto st = db.prepare(
      "UPDATE mail_outbox SET state = 'queued', attempts = 0, next_attempt_ms = ? WHERE id = ? AND state = 'parked'");
  st.bind(1, now_ms).bind(2, id);
  if (auto s = st.run(); !s) return s;
  if (db.changes() == 0) return ApiError::not_found("No parked message with that id.");
  return http::Ok{};
}

Result<nlohmann::json> outbox_summary(Connection& db) {
  nlohmann::json out;
  for (const char* state : {"queued", "sending", "sent", "parked"}) out[state] = 0;
  auto counts = db.prepare("SELECT state, count(*) FROM mail_outbox GROUP BY state");
  if (auto s = counts.each_row([&] { out[counts.text(0)] = counts.int64(1); }); !s) return s.error();
  out["parked_count"] = out["parked"];
  nlohmann::json parked = nlohmann::json::array();
  auto list = db.prepare(
      "SELECT id, kind, recipient, message_id, attempts, last_error, created_ms FROM mail_outbox "
      "WHERE state = 'parked' ORDER BY id DESC LIMIT 100");
  if (auto s = list.each_row([&] {
        nlohmann::json m;
        m["id"] = list.int64(0);
        m["kind"] = list.text(1);
        m["recipient"] = list.text(2);
        m["message_id"] = list.text(3);
        m["attempts"] = list.int64(4);
        m["last_error"] = list.optional_text(5).value_or("");
        m["created_at"] = format_rfc3339(list.int64(6) / 1000);
        parked.push_back(std::move(m));
      });
      !s)
    return s.error();
  out["parked"] = std::move(parked);
  return out;
}

Result<std::optional<std::int64_t>> next_due_ms(Connection& db) {
  auto st = db.prepare("SELECT min(next_attempt_ms) FROM mail_outbox WHERE state = 'queued'");
  auto row = st.step();
  if (!row) return row.error();
  return st.optional_int64(0);
}

}  // namespace hub::mail
