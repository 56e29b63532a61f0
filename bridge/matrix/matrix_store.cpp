#include "bridge/matrix/matrix_store.hpp"

namespace hub::bridge::matrix {

store::Migration matrix_migration(int version) {
  return {version, "matrix connector", R"sql(
-- Reaction events bridged either way: an m.reaction we sent for a hub reaction, or one we applied.
CREATE TABLE matrix_reactions (
  event_id TEXT PRIMARY KEY CHECK (length(event_id) BETWEEN 1 AND 255),
  room TEXT NOT NULL,
  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id),
  emoji TEXT NOT NULL,
  created_seq INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX matrix_reactions_by_message ON matrix_reactions (message_id, user_id, emoji);

-- Matrix users seen in bridged rooms: their hub ghost and last display name.
CREATE TABLE matrix_users (
  user_id TEXT PRIMARY KEY CHECK (length(user_id) BETWEEN 1 AND 255),
  ghost_id INTEGER REFERENCES users(id),
  handle TEXT NOT NULL DEFAULT '',
  display_name TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX matrix_users_by_handle ON matrix_users (handle);
)sql"};
}

namespace {

ReactionRow read_reaction(store::Statement& s) {
  return {s.text(0), s.text(1), s.int64(2), s.int64(3), s.text(4)};
}

constexpr const char* kReactionColumns = "SELECT event_id, room, message_id, user_id, emoji FROM matrix_reactions ";

}  // namespace

Status remember_reaction(Connection& db, const ReactionRow& r) {
  auto s = db.prepare(
      "INSERT INTO matrix_reactions (event_id, room, message_id, user_id, emoji, created_seq) VALUES (?1, ?2, ?3, ?4, ?5, "
      "(SELECT coalesce(max(created_seq), 0) + 1 FROM matrix_reactions)) ON CONFLICT (event_id) DO NOTHING");
  s.bind(1, std::string_view(r.event_id)).bind(2, std::string_view(r.room)).bind(3, r.message_id);
  s.bind(4, r.user_id).bind(5, std::string_view(r.emoji));
  if (auto done = s.run(); !done) return done.error();
  return http::Ok{};
}

Result<std::optional<ReactionRow>> reaction_by_event(Connection& db, const std::string& event_id) {
  auto s = db.prepare(std::string(kReactionColumns) + "WHERE event_id = ?1");
  s.bind(1, std::string_view(event_id));
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<ReactionRow>();
  return std::optional<ReactionRow>(read_reaction(s));
}

Result<std::optional<ReactionRow>> reaction_of(Connection& db, std::int64_t message_id, std::int64_t user_id,
                                               const std::string& emoji) {
  auto s = db.prepare(std::string(kReactionColumns) +
                      "WHERE message_id = ?1 AND user_id = ?2 AND emoji = ?3 ORDER BY created_seq DESC LIMIT 1");
  s.bind(1, message_id).bind(2, user_id).bind(3, std::string_view(emoji));
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<ReactionRow>();
  return std::optional<ReactionRow>(read_reaction(s));
}

Result<std::optional<ReactionRow>> hub_reaction_of(Connection& db, std::int64_t message_id, const std::string& emoji) {
  auto s = db.prepare(std::string(kReactionColumns) +
                      "WHERE message_id = ?1 AND emoji = ?2 AND user_id NOT IN "
                      "(SELECT ghost_id FROM matrix_users WHERE ghost_id IS NOT NULL) ORDER BY created_seq DESC LIMIT 1");
  s.bind(1, message_id).bind(2, std::string_view(emoji));
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<ReactionRow>();
  return std::optional<ReactionRow>(read_reaction(s));
}

Status forget_reaction(Connection& db, const std::string& event_id) {
  auto s = db.prepare("DELETE FROM matrix_reactions WHERE event_id = ?1");
  s.bind(1, std::string_view(event_id));
  if (auto done = s.run(); !done) return done.error();
  return http::Ok{};
}

Status remember_user(Connection& db, const MatrixUser& u) {
  auto s = db.prepare(
      "INSERT INTO matrix_users (user_id, ghost_id, handle, display_name) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (user_id) DO UPDATE SET ghost_id = coalesce(excluded.ghost_id, ghost_id), "
      "handle = CASE WHEN excluded.handle = '' THEN handle ELSE excluded.handle END, "
      "display_name = CASE WHEN excluded.display_name = '' THEN display_name ELSE excluded.display_name END");
  s.bind(1, std::string_view(u.user_id)).bind(2, u.ghost_id).bind(3, std::string_view(u.handle));
  s.bind(4, std::string_view(u.display_name));
  if (auto done = s.run(); !done) return done.error();
  return http::Ok{};
}

Result<std::optional<MatrixUser>> find_user(Connection& db, const std::string& user_id) {
  auto s = db.prepare("SELECT user_id, ghost_id, handle, display_name FROM matrix_users WHERE user_id = ?1");
  s.bind(1, std::string_view(user_id));
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<MatrixUser>();
  return std::optional<MatrixUser>(MatrixUser{s.text(0), s.optional_int64(1), s.text(2), s.text(3)});
}

Result<bool> delivered(Connection& db, const std::string& txn) {
  auto s = db.prepare("SELECT 1 FROM bridge_inbound_seen WHERE network = 'matrix' AND key = ?1");
  s.bind(1, std::string_view(txn));
  return s.step();
}

Result<std::vector<std::string>> matrix_ids_of(Connection& db, const std::vector<std::string>& handles,
                                               const UserNamespace& ns) {
  std::vector<std::string> ids;
  auto s = db.prepare("SELECT user_id FROM matrix_users WHERE handle = ?1 AND ghost_id IS NOT NULL");
  for (const auto& h : handles) {
    if (h.empty()) continue;
    s.bind(1, std::string_view(h));
    auto row = s.step();
    if (!row) return row.error();
    ids.push_back(*row ? s.text(0) : ns.user_id(h));
  }
  return ids;
}

}  // namespace hub::bridge::matrix
