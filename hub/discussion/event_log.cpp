#include "hub/discussion/event_log.hpp"

#include <nlohmann/json.hpp>

#include "hub/http/random_hex.hpp"

namespace hub::discussion {

std::string_view network_name(Network n) {
  switch (n) {
    case Network::hub: return "hub";
    case Network::matrix: return "matrix";
    case Network::slack: return "slack";
  }
  return "hub";
}

std::optional<Network> parse_network(std::string_view name) {
  for (Network n : {Network::hub, Network::matrix, Network::slack})
    if (network_name(n) == name) return n;
  return std::nullopt;
}

store::Migration bridge_seam_migration(int version) {
  return {version, "bridge_seam", R"sql(
ALTER TABLE events ADD COLUMN actor_id INTEGER;
ALTER TABLE events ADD COLUMN network TEXT NOT NULL DEFAULT 'hub' CHECK (network IN ('hub', 'matrix', 'slack'));
ALTER TABLE events ADD COLUMN delta TEXT;
-- A remote author (a Matrix or Slack user) as a hub user who can author but never log in.
CREATE TABLE ghosts (
  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  network TEXT NOT NULL CHECK (network IN ('matrix', 'slack')),
  remote_id TEXT NOT NULL,
  UNIQUE (network, remote_id)
) STRICT;
-- A change a bridge applied, by its idempotency key: a repeat returns the first result.
CREATE TABLE bridge_writes (
  network TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  message_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (network, idempotency_key)
) STRICT, WITHOUT ROWID;
)sql"};
}

store::Migration event_nonce_migration(int version) {
  return {version, "event nonce", "ALTER TABLE events ADD COLUMN nonce TEXT NOT NULL DEFAULT '';"};
}

Result<std::int64_t> append_event(Connection& db, Event& e, std::int64_t now) {
  e.nonce = http::random_hex(8);  // throws if the generator fails: the write is then refused whole
  auto s = db.prepare(
      "INSERT INTO events (channel_id, kind, message_id, payload, created_at, actor_id, network, delta, nonce) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  s.bind(1, e.channel_id).bind(2, std::string_view(e.kind));
  if (e.message_id) s.bind(3, e.message_id);
  else s.bind_null(3);  // a change to the channel itself
  s.bind(4, std::string_view(e.payload)).bind(5, now).bind(6, e.origin.actor_id);
  s.bind(7, network_name(e.origin.network));
  if (e.delta.empty()) s.bind_null(8);
  else s.bind(8, std::string_view(e.delta));
  s.bind(9, std::string_view(e.nonce));
  if (auto r = s.run(); !r) return r.error();
  return db.last_insert_id();
}

Result<std::int64_t> head_seq(Connection& db) {
  auto s = db.prepare("SELECT coalesce(max(seq), 0) FROM events");
  auto row = s.step();
  if (!row) return row.error();
  return s.int64(0);
}

Result<std::vector<Event>> read_events(Connection& db, const std::vector<std::int64_t>& channels, std::int64_t since,
                                       std::int64_t until, int limit) {
  // The channel list travels as a JSON array, so one cached statement serves every subscription.
  auto s = db.prepare(
      "SELECT seq, channel_id, kind, payload, coalesce(message_id, 0), coalesce(actor_id, 0), network, "
      "coalesce(delta, ''), nonce FROM events WHERE seq > ?1 AND seq <= ?2 AND "
      "(?3 = '[]' OR channel_id IN (SELECT value FROM json_each(?3))) ORDER BY seq LIMIT ?4");
  const std::string ids = nlohmann::json(channels).dump();
  s.bind(1, since).bind(2, until).bind(3, std::string_view(ids)).bind(4, std::int64_t{limit});
  std::vector<Event> out;
  auto rows = s.each_row([&] {
    Event e{s.int64(0), s.int64(1), s.text(2), s.text(3), s.int64(4), {s.int64(5), Network::hub}, s.text(7), s.text(8)};
    e.origin.network = parse_network(s.text(6)).value_or(Network::hub);
    out.push_back(std::move(e));
  });
  if (!rows) return rows.error();
  return out;
}

Status rewrite_events_of(Connection& db, std::int64_t message_id, const std::string& payload) {
  auto s = db.prepare("UPDATE events SET payload = ?2 WHERE message_id = ?1");
  s.bind(1, message_id).bind(2, std::string_view(payload));
  return s.run();
}

std::string event_frame(const Event& e) {
  std::string out;
  out.reserve(e.payload.size() + e.delta.size() + 128);
  out += R"({"type":"event","seq":)";
  out += std::to_string(e.seq);
  out += R"(,"channel_id":)";
  out += std::to_string(e.channel_id);
  out += R"(,"kind":")";
  out += e.kind;  // one of a few fixed names: no escaping needed
  out += R"(","origin":{"network":")";
  out += network_name(e.origin.network);
  out += R"(","actor_id":)";
  out += std::to_string(e.origin.actor_id);
  out += '}';
  if (!e.delta.empty()) {
    out += R"(,"delta":)";
    out += e.delta;  // JSON built by the writer
  }
  out += e.kind.starts_with("channel.") ? R"(,"channel":)" : R"(,"message":)";
  out += e.payload;
  out += '}';
  return out;
}

}  // namespace hub::discussion
