#include "bridge/mappings.hpp"

namespace hub::bridge {

using http::ApiError;

store::Migration mappings_migration(int version) {
  return {version, "bridge mappings", R"sql(
-- A hub channel mirrored into a remote room; one room per network per channel, and back.
CREATE TABLE bridge_mappings (
  id INTEGER PRIMARY KEY,
  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  network TEXT NOT NULL CHECK (network IN ('matrix', 'slack')),
  remote_room TEXT NOT NULL CHECK (length(remote_room) BETWEEN 1 AND 255),
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  last_in_at INTEGER,
  last_out_at INTEGER,
  status TEXT NOT NULL DEFAULT '',
  UNIQUE (channel_id, network),
  UNIQUE (network, remote_room)
) STRICT;
-- Where each network's relay stands: the last hub seq queued, and named remote cursors.
CREATE TABLE bridge_cursors (
  network TEXT NOT NULL CHECK (network IN ('matrix', 'slack')),
  name TEXT NOT NULL,
  hub_seq INTEGER NOT NULL DEFAULT 0,
  remote TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (network, name)
) STRICT;
-- Inbound deliveries applied (Matrix transaction ids, Slack event ids), so a retry applies once.
CREATE TABLE bridge_inbound_seen (
  network TEXT NOT NULL CHECK (network IN ('matrix', 'slack')),
  key TEXT NOT NULL,
  seen_at INTEGER NOT NULL,
  PRIMARY KEY (network, key)
) STRICT, WITHOUT ROWID;
-- The relay sends each channel in order: its first pending row, then the next.
CREATE INDEX bridge_outbox_channel ON bridge_outbox(network, channel_id, state, seq);
)sql"};
}

namespace {

constexpr const char* kMappingColumns =
    "SELECT id, channel_id, network, remote_room, created_by, created_at, last_in_at, last_out_at, status "
    "FROM bridge_mappings ";

Mapping read_mapping(store::Statement& s) {
  Mapping m;
  m.id = s.int64(0);
  m.channel_id = s.int64(1);
  m.network = discussion::parse_network(s.text(2)).value_or(Network::matrix);
  m.remote_room = s.text(3);
  m.created_by = s.int64(4);
  m.created_at = s.int64(5);
  if (!s.is_null(6)) m.last_in_at = s.int64(6);
  if (!s.is_null(7)) m.last_out_at = s.int64(7);
  m.status = s.text(8);
  return m;
}

Result<std::vector<Mapping>> read_mappings(store::Statement& s) {
  std::vector<Mapping> out;
  auto rows = s.each_row([&] { out.push_back(read_mapping(s)); });
  if (!rows) return rows.error();
  return out;
}

Result<std::optional<Mapping>> first_mapping(store::Statement& s) {
  auto all = read_mappings(s);
  if (!all) return all.error();
  if (all->empty()) return std::optional<Mapping>();
  return std::optional<Mapping>(all->front());
}

}  // namespace

Result<Mapping> add_mapping(Connection& db, std::int64_t channel_id, Network network, const std::string& remote_room,
                            std::int64_t created_by, std::int64_t now) {
  if (network == Network::hub) return ApiError::bad_request("A mapping joins a hub channel to another network.");
  if (remote_room.empty() || remote_room.size() > 255)
    return ApiError::bad_request("The remote room must be 1 to 255 characters.");
  auto by_channel = mapping_for_channel(db, channel_id, network);
  if (!by_channel) return by_channel.error();
  if (*by_channel) return ApiError::conflict("That channel is already mapped on this network.");
  auto by_room = mapping_for_room(db, network, remote_room);
  if (!by_room) return by_room.error();
  if (*by_room) return ApiError::conflict("That room is already mapped to a channel.");
  auto s = db.prepare(
      "INSERT INTO bridge_mappings (channel_id, network, remote_room, created_by, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  s.bind(1, channel_id).bind(2, discussion::network_name(network)).bind(3, std::string_view(remote_room));
  s.bind(4, created_by).bind(5, now);
  if (auto r = s.run(); !r) return r.error();
  auto made = find_mapping(db, db.last_insert_id());
  if (!made) return made.error();
  if (!*made) return ApiError::internal("The new mapping is missing.");
  return **made;
}

Status remove_mapping(Connection& db, std::int64_t mapping_id) {
  auto s = db.prepare("DELETE FROM bridge_mappings WHERE id = ?1");
  s.bind(1, mapping_id);
  if (auto r = s.run(); !r) return r.error();
  if (db.changes() == 0) return ApiError::not_found("No such mapping.");
  return http::Ok{};
}

Result<std::optional<Mapping>> find_mapping(Connection& db, std::int64_t mapping_id) {
  auto s = db.prepare(std::string(kMappingColumns) + "WHERE id = ?1");
  s.bind(1, mapping_id);
  return first_mapping(s);
}

Result<std::vector<Mapping>> list_mappings(Connection& db, std::optional<Network> network) {
  auto s = db.prepare(std::string(kMappingColumns) + "WHERE ?1 IS NULL OR network = ?1 ORDER BY id");
  if (network) s.bind(1, discussion::network_name(*network));
  return read_mappings(s);
}

Result<std::optional<Mapping>> mapping_for_room(Connection& db, Network network, const std::string& remote_room) {
  auto s = db.prepare(std::string(kMappingColumns) + "WHERE network = ?1 AND remote_room = ?2");
  s.bind(1, discussion::network_name(network)).bind(2, std::string_view(remote_room));
  return first_mapping(s);
}

Result<std::optional<Mapping>> mapping_for_channel(Connection& db, std::int64_t channel_id, Network network) {
  auto s = db.prepare(std::string(kMappingColumns) + "WHERE channel_id = ?1 AND network = ?2");
  s.bind(1, channel_id).bind(2, discussion::network_name(network));
  return first_mapping(s);
}

Status note_traffic(Connection& db, std::int64_t mapping_id, Direction direction, std::int64_t now) {
  auto s = db.prepare(direction == Direction::in
                          ? "UPDATE bridge_mappings SET last_in_at = ?2, status = '' WHERE id = ?1"
                          : "UPDATE bridge_mappings SET last_out_at = ?2, status = '' WHERE id = ?1");
  s.bind(1, mapping_id).bind(2, now);
  return s.run();
}

Status set_status(Connection& db, std::int64_t mapping_id, const std::string& error) {
  auto s = db.prepare("UPDATE bridge_mappings SET status = ?2 WHERE id = ?1");
  s.bind(1, mapping_id).bind(2, std::string_view(error));
  return s.run();
}

Result<std::int64_t> hub_cursor(Connection& db, Network network) {
  auto s = db.prepare("SELECT hub_seq FROM bridge_cursors WHERE network = ?1 AND name = 'hub'");
  s.bind(1, discussion::network_name(network));
  auto row = s.step();
  if (!row) return row.error();
  return *row ? s.int64(0) : std::int64_t{0};
}

Status set_hub_cursor(Connection& db, Network network, std::int64_t seq) {
  auto s = db.prepare(
      "INSERT INTO bridge_cursors (network, name, hub_seq) VALUES (?1, 'hub', ?2) "
      "ON CONFLICT (network, name) DO UPDATE SET hub_seq = max(hub_seq, excluded.hub_seq)");
  s.bind(1, discussion::network_name(network)).bind(2, seq);
  return s.run();
}

Result<std::string> remote_cursor(Connection& db, Network network, const std::string& name) {
  auto s = db.prepare("SELECT remote FROM bridge_cursors WHERE network = ?1 AND name = ?2");
  s.bind(1, discussion::network_name(network)).bind(2, std::string_view(name));
  auto row = s.step();
  if (!row) return row.error();
  return *row ? s.text(0) : std::string();
}

Status set_remote_cursor(Connection& db, Network network, const std::string& name, const std::string& value) {
  if (name == "hub") return ApiError::bad_request("The cursor name 'hub' is the hub's own.");
  auto s = db.prepare(
      "INSERT INTO bridge_cursors (network, name, remote) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (network, name) DO UPDATE SET remote = excluded.remote");
  s.bind(1, discussion::network_name(network)).bind(2, std::string_view(name)).bind(3, std::string_view(value));
  return s.run();
}

Result<bool> first_delivery(Connection& db, Network network, const std::string& key, std::int64_t now) {
  if (key.empty() || key.size() > 255) return ApiError::bad_request("A delivery id must be 1 to 255 characters.");
  auto s = db.prepare(
      "INSERT INTO bridge_inbound_seen (network, key, seen_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (network, key) DO NOTHING");
  s.bind(1, discussion::network_name(network)).bind(2, std::string_view(key)).bind(3, now);
  if (auto r = s.run(); !r) return r.error();
  return db.changes() > 0;
}

}  // namespace hub::bridge
