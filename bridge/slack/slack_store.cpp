#include "bridge/slack/slack_store.hpp"

#include "bridge/mappings.hpp"

namespace hub::bridge::slack {

using http::ApiError;

store::Migration slack_migration(int version) {
  return {version, "slack connector", R"sql(
-- The Slack app's secrets, sealed (AES-256-GCM under the records key, the name as aad).
CREATE TABLE slack_secrets (
  name TEXT PRIMARY KEY CHECK (name IN ('bot_token', 'signing_secret')),
  sealed BLOB NOT NULL,
  updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  updated_at INTEGER NOT NULL
) STRICT;
-- Signed events written before Slack's answer, applied after it, removed in the applying transaction.
CREATE TABLE slack_inbound (
  id INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  event TEXT NOT NULL,
  received_at INTEGER NOT NULL
) STRICT;
)sql"};
}

store::Migration slack_app_token_migration(int version) {
  // SQLite changes a CHECK only by rebuilding the table.
  return {version, "slack app-level token", R"sql(
CREATE TABLE slack_secrets_next (
  name TEXT PRIMARY KEY CHECK (name IN ('bot_token', 'signing_secret', 'app_token')),
  sealed BLOB NOT NULL,
  updated_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
  updated_at INTEGER NOT NULL
) STRICT;
INSERT INTO slack_secrets_next (name, sealed, updated_by, updated_at)
  SELECT name, sealed, updated_by, updated_at FROM slack_secrets;
DROP TABLE slack_secrets;
ALTER TABLE slack_secrets_next RENAME TO slack_secrets;
)sql"};
}

namespace {
std::string secret_aad(const std::string& name) { return "slack-secret:" + name; }
}  // namespace

Status store_secret(Connection& db, const sharing::RecordCipher& cipher, const std::string& name,
                    const std::string& value, std::int64_t by, std::int64_t now) {
  auto s = db.prepare(
      "INSERT INTO slack_secrets (name, sealed, updated_by, updated_at) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed, updated_by = excluded.updated_by, "
      "updated_at = excluded.updated_at");
  s.bind(1, std::string_view(name)).bind_blob(2, cipher.seal(value, secret_aad(name))).bind(3, by).bind(4, now);
  return s.run();
}

Result<std::optional<std::string>> load_secret(Connection& db, const sharing::RecordCipher& cipher,
                                               const std::string& name) {
  auto s = db.prepare("SELECT sealed FROM slack_secrets WHERE name = ?1");
  s.bind(1, std::string_view(name));
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>();
  auto plain = cipher.open(s.text(0), secret_aad(name));
  if (!plain) return ApiError::internal("A stored Slack secret does not open with this hub's records key.");
  return std::optional<std::string>(std::move(*plain));
}

Result<bool> queue_event(Connection& db, const std::string& event_id, const std::string& event_json,
                         std::int64_t now) {
  auto first = first_delivery(db, Network::slack, event_id, now);
  if (!first || !*first) return first;
  auto s = db.prepare("INSERT INTO slack_inbound (event_id, event, received_at) VALUES (?1, ?2, ?3)");
  s.bind(1, std::string_view(event_id)).bind(2, std::string_view(event_json)).bind(3, now);
  if (auto r = s.run(); !r) return r.error();
  return true;
}

Result<std::vector<QueuedEvent>> queued_events(Connection& db, int limit) {
  auto s = db.prepare("SELECT event_id, event FROM slack_inbound ORDER BY id LIMIT ?1");
  s.bind(1, std::int64_t{limit});
  std::vector<QueuedEvent> out;
  if (auto r = s.each_row([&] { out.push_back({s.text(0), s.text(1)}); }); !r) return r.error();
  return out;
}

Status drop_event(Connection& db, const std::string& event_id) {
  auto s = db.prepare("DELETE FROM slack_inbound WHERE event_id = ?1");
  s.bind(1, std::string_view(event_id));
  return s.run();
}

namespace {
std::string history_cursor_name(const std::string& channel) { return "history:" + channel; }
}  // namespace

bool later_ts(std::string_view a, std::string_view b) {
  const auto whole = [](std::string_view ts) { return ts.substr(0, ts.find('.')); };
  if (whole(a).size() != whole(b).size()) return whole(a).size() > whole(b).size();
  return a > b;  // same number of whole-second digits: the text orders like the number
}

Result<std::string> history_cursor(Connection& db, const std::string& channel) {
  return remote_cursor(db, Network::slack, history_cursor_name(channel));
}

Status advance_history_cursor(Connection& db, const std::string& channel, const std::string& ts) {
  auto now = history_cursor(db, channel);
  if (!now) return now.error();
  if (!later_ts(ts, *now)) return http::Ok{};
  return set_remote_cursor(db, Network::slack, history_cursor_name(channel), ts);
}

namespace {
// One ghost lookup per key (messages mention few people).
Result<std::map<std::string, std::string>> ghost_lookup(Connection& db, const char* sql,
                                                        const std::vector<std::string>& keys) {
  std::map<std::string, std::string> out;
  auto s = db.prepare(sql);
  for (const std::string& k : keys) {
    s.bind(1, std::string_view(k));
    auto row = s.step();
    if (!row) return row.error();
    if (*row) out[k] = s.text(0);
  }
  return out;
}
}  // namespace

Result<std::map<std::string, std::string>> slack_users_of(Connection& db, const std::vector<std::string>& handles) {
  return ghost_lookup(db,
                      "SELECT g.remote_id FROM ghosts g JOIN users u ON u.id = g.user_id "
                      "WHERE g.network = 'slack' AND u.handle = ?1",
                      handles);
}

Result<std::map<std::string, std::string>> handles_of(Connection& db, const std::vector<std::string>& slack_users) {
  return ghost_lookup(db,
                      "SELECT u.handle FROM ghosts g JOIN users u ON u.id = g.user_id "
                      "WHERE g.network = 'slack' AND g.remote_id = ?1",
                      slack_users);
}

Result<std::vector<MappedSlackMessage>> mapped_slack_messages(Connection& db, const std::string& channel,
                                                              const std::string& from_ts) {
  std::vector<MappedSlackMessage> out;
  auto s = db.prepare(
      "SELECT m.id, x.remote_id, g.remote_id, root.remote_id, m.body, m.deleted_at IS NOT NULL "
      "FROM bridge_id_map x JOIN messages m ON m.id = x.message_id "
      "LEFT JOIN ghosts g ON g.user_id = m.author_id AND g.network = 'slack' "
      "LEFT JOIN bridge_id_map root ON root.message_id = m.thread_root AND root.network = 'slack' "
      "WHERE x.network = 'slack' AND x.remote_room = ?1 AND x.remote_id >= ?2 ORDER BY x.remote_id");
  s.bind(1, std::string_view(channel)).bind(2, std::string_view(from_ts));
  auto rows = s.each_row([&] {
    MappedSlackMessage m;
    m.message_id = s.int64(0);
    m.ts = s.text(1);
    if (!s.is_null(2)) m.author = s.text(2);
    if (!s.is_null(3)) m.thread_ts = s.text(3);
    m.body = s.text(4);
    m.deleted = s.int64(5) != 0;
    out.push_back(std::move(m));
  });
  if (!rows) return rows.error();
  auto r = db.prepare(
      "SELECT g.remote_id, r.emoji FROM reactions r JOIN ghosts g ON g.user_id = r.user_id AND g.network = 'slack' "
      "WHERE r.message_id = ?1");
  for (MappedSlackMessage& m : out) {
    r.bind(1, m.message_id);
    if (auto each = r.each_row([&] { m.reactions.emplace(r.text(0), r.text(1)); }); !each) return each.error();
  }
  return out;
}

Result<std::string> newest_mapped(Connection& db, const std::string& channel) {
  auto s = db.prepare("SELECT max(remote_id) FROM bridge_id_map WHERE network = 'slack' AND remote_room = ?1");
  s.bind(1, std::string_view(channel));
  auto row = s.step();
  if (!row) return row.error();
  return *row && !s.is_null(0) ? s.text(0) : std::string();
}

Result<bool> mapped_before(Connection& db, const std::string& channel, const std::string& ts) {
  auto s = db.prepare(
      "SELECT EXISTS (SELECT 1 FROM bridge_id_map WHERE network = 'slack' AND remote_room = ?1 AND remote_id < ?2)");
  s.bind(1, std::string_view(channel)).bind(2, std::string_view(ts));
  auto row = s.step();
  if (!row) return row.error();
  return *row && s.int64(0) != 0;
}

}  // namespace hub::bridge::slack
