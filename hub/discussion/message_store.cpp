#include "hub/discussion/message_store.hpp"

#include <algorithm>
#include <cctype>

#include "hub/discussion/event_log.hpp"
#include "hub/http/clock.hpp"

namespace hub::discussion {

using nlohmann::json;

namespace {

json optional_id(const store::Statement& s, int col) { return s.is_null(col) ? json(nullptr) : json(s.int64(col)); }

bool handle_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

Status insert_mentions(Connection& db, std::int64_t message_id, std::string_view body) {
  auto s = db.prepare("INSERT OR IGNORE INTO message_mentions (message_id, user_id) "
                      "SELECT ?1, id FROM users WHERE handle = ?2");
  for (const auto& handle : mentioned_handles(body)) {
    s.bind(1, message_id).bind(2, std::string_view(handle));
    if (auto r = s.run(); !r) return r.error();
  }
  return http::Ok{};
}

// Appends the event for a change to `message_id` and returns the change.
Result<Change> record(Connection& db, std::int64_t channel_id, std::int64_t message_id, const char* kind,
                      std::int64_t now, Origin origin, std::string delta = {}) {
  auto message = message_json(db, message_id);
  if (!message) return message.error();
  Event e{0, channel_id, kind, message->dump(-1, ' ', false, json::error_handler_t::replace), message_id, origin,
          std::move(delta)};
  auto seq = append_event(db, e, now);
  if (!seq) return seq.error();
  e.seq = *seq;
  Change change{std::move(*message), *seq, channel_id, {}};
  change.events.push_back(std::move(e));
  return change;
}

// Adds the events of `later` (a change recorded after `c` in the same job) to `c`.
void also(Change& c, Change&& later) {
  for (auto& e : later.events) c.events.push_back(std::move(e));
}

}  // namespace

std::vector<std::string> mentioned_handles(std::string_view body) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '@' || (i > 0 && handle_char(body[i - 1]))) continue;
    std::size_t j = i + 1;
    while (j < body.size() && handle_char(body[j])) ++j;
    std::string h(body.substr(i + 1, j - i - 1));
    while (!h.empty() && (h.back() == '.' || h.back() == '-')) h.pop_back();  // "@ana." ends a sentence
    std::transform(h.begin(), h.end(), h.begin(), [](unsigned char c) { return std::tolower(c); });
    if (h.size() >= 2 && h.size() <= 32 && std::find(out.begin(), out.end(), h) == out.end()) out.push_back(h);
    i = j - 1;
  }
  return out;
}

Result<json> message_json(Connection& db, std::int64_t message_id) {
  auto s = db.prepare(
      "SELECT m.id, m.channel_id, m.author_id, u.handle, u.display_name, m.body, m.html, m.reply_to, m.thread_root, "
      "m.created_at, m.edited_at, m.deleted_at, (SELECT count(*) FROM messages r WHERE r.thread_root = m.id "
      "AND r.deleted_at IS NULL), g.network FROM messages m JOIN users u ON u.id = m.author_id "
      "LEFT JOIN ghosts g ON g.user_id = m.author_id WHERE m.id = ?1");
  s.bind(1, message_id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return ApiError::not_found("No such message.");
  const bool deleted = !s.is_null(11);
  json m = {{"id", s.int64(0)},
            {"channel_id", s.int64(1)},
            // "via": the network a bridged (ghost) author writes from, shown as "via Matrix"; null for hub users
            {"author", {{"id", s.int64(2)}, {"handle", s.text(3)}, {"display_name", s.text(4)},
                        {"via", s.is_null(13) ? json(nullptr) : json(s.text(13))}}},
            {"body", deleted ? "" : s.text(5)},
            {"html", deleted ? "" : s.text(6)},
            {"reply_to", optional_id(s, 7)},
            {"thread_root", optional_id(s, 8)},
            {"created_at", format_rfc3339(s.int64(9))},
            {"edited_at", s.is_null(10) ? json(nullptr) : json(format_rfc3339(s.int64(10)))},
            {"deleted", deleted},
            {"reply_count", s.int64(12)}};
  json reactions = json::array();
  auto r = db.prepare("SELECT r.emoji, u.handle FROM reactions r JOIN users u ON u.id = r.user_id "
                      "WHERE r.message_id = ?1 ORDER BY r.emoji, r.created_at, u.handle");
  r.bind(1, message_id);
  auto reaction_rows = r.each_row([&] {
    std::string emoji = r.text(0);
    if (reactions.empty() || reactions.back()["emoji"] != emoji)
      reactions.push_back({{"emoji", emoji}, {"count", 0}, {"handles", json::array()}});
    reactions.back()["count"] = reactions.back()["count"].get<int>() + 1;
    reactions.back()["handles"].push_back(r.text(1));
  });
  if (!reaction_rows) return reaction_rows.error();
  m["reactions"] = std::move(reactions);
  json mentions = json::array();
  auto t = db.prepare("SELECT u.handle FROM message_mentions x JOIN users u ON u.id = x.user_id "
                      "WHERE x.message_id = ?1 ORDER BY u.handle");
  t.bind(1, message_id);
  if (auto rows = t.each_row([&] { mentions.push_back(t.text(0)); }); !rows) return rows.error();
  m["mentions"] = std::move(mentions);
  return m;
}

Result<MessageRef> message_ref(Connection& db, std::int64_t message_id) {
  auto s = db.prepare(
      "SELECT m.channel_id, m.author_id, u.role, m.deleted_at IS NOT NULL FROM messages m "
      "JOIN users u ON u.id = m.author_id WHERE m.id = ?1");
  s.bind(1, message_id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return ApiError::not_found("No such message.");
  return MessageRef{s.int64(0), {s.int64(1), s.text(2)}, s.int64(3) != 0};
}

Result<std::int64_t> channel_of(Connection& db, std::int64_t message_id) {
  auto o = message_ref(db, message_id);
  if (!o) return o.error();
  return o->channel_id;
}

Result<Change> post_message(Connection& db, const Channel& channel, std::int64_t author_id, const NewMessage& m,
                            std::int64_t now, Network network) {
  if (m.reply_to) {
    auto target = message_ref(db, *m.reply_to);
    if (!target || target->channel_id != channel.id)
      return ApiError::invalid_field("reply_to", "reply_to must be a message in this channel.");
  }
  if (m.thread_root) {
    auto s = db.prepare("SELECT channel_id, thread_root IS NULL, deleted_at IS NULL FROM messages WHERE id = ?1");
    s.bind(1, *m.thread_root);
    auto row = s.step();
    if (!row) return row.error();
    if (!*row || s.int64(0) != channel.id || !s.int64(1) || !s.int64(2))
      return ApiError::invalid_field("thread_root", "thread_root must be a top-level message in this channel.");
  }
  auto s = db.prepare(
      "INSERT INTO messages (channel_id, author_id, body, html, reply_to, thread_root, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  s.bind(1, channel.id).bind(2, author_id).bind(3, std::string_view(m.body)).bind(4, std::string_view(m.html));
  s.bind(5, m.reply_to).bind(6, m.thread_root).bind(7, now);
  if (auto r = s.run(); !r) return r.error();
  const std::int64_t id = db.last_insert_id();
  if (auto r = insert_mentions(db, id, m.body); !r) return r.error();
  const Origin origin{author_id, network};
  auto change = record(db, channel.id, id, "message.posted", now, origin);
  if (!change) return change;
  // A reply changes its root's reply_count: that is an edit of the root as far as clients go.
  if (m.thread_root) {
    auto root = record(db, channel.id, *m.thread_root, "message.replied", now, origin);
    if (!root) return root.error();
    also(*change, std::move(*root));
  }
  return change;
}

Result<Change> edit_message(Connection& db, std::int64_t message_id, std::int64_t user_id, const std::string& body,
                            const std::string& html, std::int64_t now, Network network) {
  auto o = message_ref(db, message_id);
  if (!o) return o.error();
  if (o->deleted) return ApiError::conflict("That message was deleted.");
  auto keep = db.prepare("INSERT INTO message_edits (message_id, body, replaced_at, edited_by) "
                         "SELECT id, body, ?2, ?3 FROM messages WHERE id = ?1");
  keep.bind(1, message_id).bind(2, now).bind(3, user_id);
  if (auto r = keep.run(); !r) return r.error();
  auto s = db.prepare("UPDATE messages SET body = ?2, html = ?3, edited_at = ?4 WHERE id = ?1");
  s.bind(1, message_id).bind(2, std::string_view(body)).bind(3, std::string_view(html)).bind(4, now);
  if (auto r = s.run(); !r) return r.error();
  auto clear = db.prepare("DELETE FROM message_mentions WHERE message_id = ?1");
  clear.bind(1, message_id);
  if (auto r = clear.run(); !r) return r.error();
  if (auto r = insert_mentions(db, message_id, body); !r) return r.error();
  return record(db, o->channel_id, message_id, "message.edited", now, {user_id, network});
}

Result<Change> delete_message(Connection& db, std::int64_t message_id, std::int64_t user_id, std::int64_t now,
                              Network network) {
  auto o = message_ref(db, message_id);
  if (!o) return o.error();
  if (o->deleted) return ApiError::not_found("That message was deleted already.");
  // The tombstone keeps the row (threads and replies point at it) but none of its words.
  auto s = db.prepare("UPDATE messages SET body = '', html = '', deleted_at = ?2, deleted_by = ?3 WHERE id = ?1");
  s.bind(1, message_id).bind(2, now).bind(3, user_id);
  if (auto r = s.run(); !r) return r.error();
  for (const char* sql : {"DELETE FROM message_edits WHERE message_id = ?1",
                          "DELETE FROM message_mentions WHERE message_id = ?1",
                          "DELETE FROM reactions WHERE message_id = ?1"}) {
    auto d = db.prepare(sql);
    d.bind(1, message_id);
    if (auto r = d.run(); !r) return r.error();
  }
  const Origin origin{user_id, network};
  auto change = record(db, o->channel_id, message_id, "message.deleted", now, origin);
  if (!change) return change;
  const std::string tombstone = change->events.front().payload;
  if (auto r = rewrite_events_of(db, message_id, tombstone); !r) return r.error();
  auto root = db.prepare("SELECT thread_root FROM messages WHERE id = ?1 AND thread_root IS NOT NULL");
  root.bind(1, message_id);
  auto row = root.step();
  if (!row) return row.error();
  if (*row) {
    const std::int64_t root_id = root.int64(0);
    auto r = record(db, o->channel_id, root_id, "message.replied", now, origin);
    if (!r) return r.error();
    also(*change, std::move(*r));
  }
  return change;
}

Result<Change> set_reaction(Connection& db, std::int64_t message_id, std::int64_t user_id, const std::string& emoji,
                            bool add, std::int64_t now, Network network) {
  auto o = message_ref(db, message_id);
  if (!o) return o.error();
  if (o->deleted) return ApiError::conflict("That message was deleted.");
  auto s = db.prepare(add ? "INSERT OR IGNORE INTO reactions (message_id, user_id, emoji, created_at) "
                            "VALUES (?1, ?2, ?3, ?4)"
                          : "DELETE FROM reactions WHERE message_id = ?1 AND user_id = ?2 AND emoji = ?3 AND ?4 = ?4");
  s.bind(1, message_id).bind(2, user_id).bind(3, std::string_view(emoji)).bind(4, now);
  if (auto r = s.run(); !r) return r.error();
  std::string delta;
  if (db.changes() > 0) {
    auto who = db.prepare("SELECT handle FROM users WHERE id = ?1");
    who.bind(1, user_id);
    auto row = who.step();
    if (!row) return row.error();
    json d;
    d["user_id"] = user_id;
    d["handle"] = *row ? who.text(0) : std::string();
    d["emoji"] = emoji;
    d["added"] = add;
    delta = d.dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return record(db, o->channel_id, message_id, "message.reacted", now, {user_id, network}, std::move(delta));
}

Result<json> list_messages(Connection& db, const MessageQuery& q) {
  // Newest first below `before` (or from the end); oldest first above `after`.
  const bool forward = q.after.has_value();
  std::string sql = "SELECT id FROM messages WHERE channel_id = ?1 AND ";
  sql += q.thread_root ? "thread_root = ?2 " : "thread_root IS NULL AND ?2 IS NULL ";
  sql += forward ? "AND id > ?3 ORDER BY id ASC LIMIT ?4" : "AND id < ?3 ORDER BY id DESC LIMIT ?4";
  auto s = db.prepare(sql);
  s.bind(1, q.channel_id).bind(2, q.thread_root);
  s.bind(3, forward ? *q.after : q.before.value_or(INT64_MAX)).bind(4, std::int64_t{q.limit + 1});
  std::vector<std::int64_t> ids;
  if (auto rows = s.each_row([&] { ids.push_back(s.int64(0)); }); !rows) return rows.error();
  const bool more = ids.size() > static_cast<std::size_t>(q.limit);
  if (more) ids.pop_back();
  if (!forward) std::reverse(ids.begin(), ids.end());
  json items = json::array();
  for (auto id : ids) {
    auto m = message_json(db, id);
    if (!m) return m.error();
    items.push_back(std::move(*m));
  }
  json older = nullptr, newer = nullptr;
  if (!ids.empty()) {
    if (forward) {
      older = ids.front();  // the anchor and what precedes it
      if (more) newer = ids.back();
    } else {
      if (more) older = ids.front();
      if (q.before) newer = ids.back();  // a page below `before` has newer ones above it
    }
  }
  return json{{"items", std::move(items)}, {"older", older}, {"newer", newer}};
}

Result<json> message_history(Connection& db, std::int64_t message_id) {
  auto s = db.prepare("SELECT body, replaced_at FROM message_edits WHERE message_id = ?1 ORDER BY replaced_at, rowid");
  s.bind(1, message_id);
  json items = json::array();
  auto rows = s.each_row([&] { items.push_back({{"body", s.text(0)}, {"replaced_at", format_rfc3339(s.int64(1))}}); });
  if (!rows) return rows.error();
  return json{{"items", std::move(items)}};
}

}  // namespace hub::discussion
