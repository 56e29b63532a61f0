#include "hub/discussion/channel_store.hpp"

#include "hub/http/clock.hpp"

namespace hub::discussion {

using nlohmann::json;

store::Migration discussion_migration(int version) {
  return {version, "discussion", R"sql(
CREATE TABLE channels (
  id INTEGER PRIMARY KEY,
  cohort_id INTEGER REFERENCES cohorts(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  topic TEXT NOT NULL DEFAULT '',
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX channels_by_name ON channels(coalesce(cohort_id, 0), name);
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  author_id INTEGER NOT NULL REFERENCES users(id),
  body TEXT NOT NULL,
  html TEXT NOT NULL,
  reply_to INTEGER REFERENCES messages(id),
  thread_root INTEGER REFERENCES messages(id),
  created_at INTEGER NOT NULL,
  edited_at INTEGER,
  deleted_at INTEGER,
  deleted_by INTEGER REFERENCES users(id)
) STRICT;
CREATE INDEX messages_by_channel ON messages(channel_id, thread_root, id);
CREATE INDEX messages_by_thread ON messages(thread_root, id);
CREATE TABLE message_edits (
  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  body TEXT NOT NULL,
  replaced_at INTEGER NOT NULL,
  edited_by INTEGER NOT NULL REFERENCES users(id)
) STRICT;
CREATE INDEX message_edits_by_message ON message_edits(message_id, replaced_at);
CREATE TABLE message_mentions (
  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (message_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX message_mentions_by_user ON message_mentions(user_id, message_id);
CREATE TABLE reactions (
  message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  emoji TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (message_id, emoji, user_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE channel_reads (
  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  last_read_id INTEGER NOT NULL,
  PRIMARY KEY (channel_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE TABLE channel_mutes (
  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  until INTEGER NOT NULL,
  muted_by INTEGER NOT NULL REFERENCES users(id),
  PRIMARY KEY (channel_id, user_id)
) STRICT, WITHOUT ROWID;
-- The durable event stream: appended in the transaction of the change it records.
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  channel_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  message_id INTEGER,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX events_by_channel ON events(channel_id, seq);
CREATE INDEX events_by_message ON events(message_id);
)sql"};
}

store::Migration channel_archive_migration(int version) {
  return {version, "channel_archive", R"sql(
ALTER TABLE channels ADD COLUMN archived_at INTEGER;
ALTER TABLE channels ADD COLUMN archived_by INTEGER REFERENCES users(id);
)sql"};
}

namespace {

// Reads the columns kChannelColumns names, from column `first` on.
constexpr const char* kChannelColumns = "c.id, c.cohort_id, c.name, c.topic, c.archived_at";
Channel read_channel(const store::Statement& s) {
  return {s.int64(0), s.optional_int64(1), s.text(2), s.text(3), s.optional_int64(4)};
}

// policy::visible_channel_scope as SQL: ?1 hub-wide, ?2 every cohort, ?3 the cohort ids (JSON).
constexpr const char* kVisible =
    "((c.cohort_id IS NULL AND ?1) OR (c.cohort_id IS NOT NULL AND "
    "(?2 OR c.cohort_id IN (SELECT value FROM json_each(?3)))))";

void bind_scope(store::Statement& s, const policy::ChannelScope& scope) {
  s.bind(1, std::int64_t{scope.hub_wide}).bind(2, std::int64_t{scope.every_cohort});
  s.bind(3, std::string_view(json(scope.cohort_ids).dump()));
}

}  // namespace

json channel_json(const Channel& ch) {
  return {{"id", ch.id},
          {"cohort_id", ch.cohort_id ? json(*ch.cohort_id) : json(nullptr)},
          {"name", ch.name},
          {"topic", ch.topic},
          {"archived", ch.archived_at.has_value()},
          {"archived_at", ch.archived_at ? json(format_rfc3339(*ch.archived_at)) : json(nullptr)}};
}

Result<Channel> insert_channel(Connection& db, const std::string& name, std::optional<std::int64_t> cohort_id,
                               const std::string& topic, std::int64_t created_by, std::int64_t now) {
  auto taken = db.prepare("SELECT 1 FROM channels WHERE coalesce(cohort_id, 0) = coalesce(?1, 0) AND name = ?2");
  taken.bind(1, cohort_id).bind(2, std::string_view(name));
  auto row = taken.step();
  if (!row) return row.error();
  if (*row) return ApiError::conflict("A channel with that name exists already.");
  auto s = db.prepare(
      "INSERT INTO channels (cohort_id, name, topic, created_by, created_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  s.bind(1, cohort_id).bind(2, std::string_view(name)).bind(3, std::string_view(topic)).bind(4, created_by).bind(5, now);
  if (auto r = s.run(); !r) return r.error();
  return Channel{db.last_insert_id(), cohort_id, name, topic, std::nullopt};
}

Result<ChannelChange> update_channel(Connection& db, const Channel& channel, const ChannelUpdate& update,
                                     std::int64_t by, std::int64_t now) {
  Channel next = channel;
  next.name = update.name.value_or(channel.name);
  next.topic = update.topic.value_or(channel.topic);
  if (update.archived && *update.archived != channel.archived_at.has_value())
    next.archived_at = *update.archived ? std::optional<std::int64_t>(now) : std::nullopt;
  if (next.name == channel.name && next.topic == channel.topic && next.archived_at == channel.archived_at)
    return ChannelChange{std::move(next), {}};
  auto taken = db.prepare(
      "SELECT 1 FROM channels WHERE coalesce(cohort_id, 0) = coalesce(?1, 0) AND name = ?2 AND id != ?3");
  taken.bind(1, channel.cohort_id).bind(2, std::string_view(next.name)).bind(3, channel.id);
  auto row = taken.step();
  if (!row) return row.error();
  if (*row) return ApiError::conflict("A channel with that name exists already.");
  auto s = db.prepare(
      "UPDATE channels SET name = ?2, topic = ?3, archived_at = ?4, "
      "archived_by = CASE WHEN ?4 IS NULL THEN NULL WHEN archived_at IS NULL THEN ?5 ELSE archived_by END "
      "WHERE id = ?1");
  s.bind(1, channel.id).bind(2, std::string_view(next.name)).bind(3, std::string_view(next.topic));
  s.bind(4, next.archived_at).bind(5, by);
  if (auto r = s.run(); !r) return r.error();
  Event e;
  e.channel_id = channel.id;
  e.kind = "channel.updated";
  e.payload = channel_json(next).dump();
  e.origin = {by, Network::hub};
  auto seq = append_event(db, e, now);
  if (!seq) return seq.error();
  e.seq = *seq;
  return ChannelChange{std::move(next), {std::move(e)}};
}

Actor actor_of(Connection& db, cohorts::CohortMembership& membership, const Principal& who) {
  return Actor::of(who, membership.cohorts_of(db, who.user_id));
}

Result<Channel> find_channel(Connection& db, std::int64_t channel_id) {
  auto s = db.prepare(std::string("SELECT ") + kChannelColumns + " FROM channels c WHERE c.id = ?1");
  s.bind(1, channel_id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return ApiError::not_found("No such channel.");
  return read_channel(s);
}

Result<Channel> visible_channel(Connection& db, const Actor& actor, std::int64_t channel_id) {
  auto ch = find_channel(db, channel_id);
  if (!ch) return ch;
  if (policy::see_channel(actor, ch->facts()) != Verdict::allowed) return ApiError::not_found("No such channel.");
  return ch;
}

Result<json> list_channels(Connection& db, const Actor& actor, const http::Page& page) {
  auto s = db.prepare(
      std::string("SELECT ") + kChannelColumns + ", "
                  "(SELECT count(*) FROM messages m WHERE m.channel_id = c.id AND m.thread_root IS NULL "
                  " AND m.deleted_at IS NULL AND m.author_id != ?4 AND m.id > coalesce((SELECT r.last_read_id "
                  " FROM channel_reads r WHERE r.channel_id = c.id AND r.user_id = ?4), 0)), "
                  "(SELECT max(m.id) FROM messages m WHERE m.channel_id = c.id) "
                  "FROM channels c WHERE c.id > ?5 AND " +
      kVisible + " ORDER BY c.id LIMIT ?6");
  bind_scope(s, policy::visible_channel_scope(actor));
  s.bind(4, actor.user_id).bind(5, page.after).bind(6, static_cast<std::int64_t>(page.limit + 1));
  json items = json::array();
  auto rows = s.each_row([&] {
    const Channel channel = read_channel(s);
    json ch = channel_json(channel);
    ch["can_moderate"] = policy::moderates(actor, channel.facts());  // the page shows moderators' buttons
    ch["unread"] = s.int64(5);
    ch["last_message_id"] = s.is_null(6) ? json(nullptr) : json(s.int64(6));
    items.push_back(std::move(ch));
  });
  if (!rows) return rows.error();
  return http::page_body(std::move(items), page);
}

Result<std::vector<std::int64_t>> readable_channel_ids(Connection& db, const Principal& who) {
  cohorts::CohortMembership membership;  // stateless: only reads cohort_members
  auto s = db.prepare(std::string("SELECT c.id FROM channels c WHERE ") + kVisible);
  bind_scope(s, policy::visible_channel_scope(actor_of(db, membership, who)));
  std::vector<std::int64_t> ids;
  if (auto rows = s.each_row([&] { ids.push_back(s.int64(0)); }); !rows) return rows.error();
  return ids;
}

Status mark_read(Connection& db, std::int64_t channel_id, std::int64_t user_id, std::int64_t message_id) {
  auto s = db.prepare(
      "INSERT INTO channel_reads (channel_id, user_id, last_read_id) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (channel_id, user_id) DO UPDATE SET last_read_id = max(last_read_id, excluded.last_read_id)");
  s.bind(1, channel_id).bind(2, user_id).bind(3, message_id);
  return s.run();
}

Status mute(Connection& db, std::int64_t channel_id, std::int64_t user_id, std::int64_t until, std::int64_t by) {
  auto s = db.prepare(
      "INSERT INTO channel_mutes (channel_id, user_id, until, muted_by) VALUES (?1, ?2, ?3, ?4) "
      "ON CONFLICT (channel_id, user_id) DO UPDATE SET until = excluded.until, muted_by = excluded.muted_by");
  s.bind(1, channel_id).bind(2, user_id).bind(3, until).bind(4, by);
  return s.run();
}

Result<std::optional<std::int64_t>> muted_until(Connection& db, std::int64_t channel_id, std::int64_t user_id,
                                                std::int64_t now) {
  auto s = db.prepare("SELECT until FROM channel_mutes WHERE channel_id = ?1 AND user_id = ?2 AND until > ?3");
  s.bind(1, channel_id).bind(2, user_id).bind(3, now);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>(s.int64(0));
}

}  // namespace hub::discussion
