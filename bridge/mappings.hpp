// Channel <-> remote room mappings (a Matrix room, a Slack channel), the relay positions of each
// network, and the record of inbound deliveries already applied. Shared by bridge/matrix and
// bridge/slack; managed by admins through the bridge's admin API.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hub/discussion/event_log.hpp"
#include "hub/store/migrations.hpp"

namespace hub::bridge {

using discussion::Network;
using http::Result;
using http::Status;
using store::Connection;

// Migration `version`: bridge_mappings, bridge_cursors and bridge_inbound_seen.
store::Migration mappings_migration(int version);

struct Mapping {
  std::int64_t id = 0;
  std::int64_t channel_id = 0;
  Network network = Network::matrix;
  std::string remote_room;  // the Matrix room id or the Slack channel id
  std::int64_t created_by = 0;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> last_in_at;   // the last change applied from the remote
  std::optional<std::int64_t> last_out_at;  // the last change delivered to the remote
  std::string status;                       // the last error, for the admin page; empty when healthy
};

// A channel maps to at most one room per network, and a room to one channel: conflict otherwise.
// bad_request for Network::hub or an empty room.
Result<Mapping> add_mapping(Connection& db, std::int64_t channel_id, Network network, const std::string& remote_room,
                            std::int64_t created_by, std::int64_t now);
// not_found when there is no such mapping.
Status remove_mapping(Connection& db, std::int64_t mapping_id);
Result<std::optional<Mapping>> find_mapping(Connection& db, std::int64_t mapping_id);
// Every mapping of `network` (every network when nullopt), by id.
Result<std::vector<Mapping>> list_mappings(Connection& db, std::optional<Network> network);
Result<std::optional<Mapping>> mapping_for_room(Connection& db, Network network, const std::string& remote_room);
Result<std::optional<Mapping>> mapping_for_channel(Connection& db, std::int64_t channel_id, Network network);

enum class Direction { in, out };
// Records that a change went through `mapping_id` at `now` (clearing its status), or, with a
// non-empty `error`, sets the status the admin page shows.
Status note_traffic(Connection& db, std::int64_t mapping_id, Direction direction, std::int64_t now);
Status set_status(Connection& db, std::int64_t mapping_id, const std::string& error);

// The relay position of `network`: the last hub seq handed to its outbox (0 at first), and a
// remote cursor of its own (a Matrix /sync next_batch, a Slack ts), both named by `name`.
Result<std::int64_t> hub_cursor(Connection& db, Network network);
Status set_hub_cursor(Connection& db, Network network, std::int64_t seq);
Result<std::string> remote_cursor(Connection& db, Network network, const std::string& name);
Status set_remote_cursor(Connection& db, Network network, const std::string& name, const std::string& value);

// Inbound dedupe: true (and recorded) the first time `key` (a Matrix txnId, a Slack event_id) is
// seen for `network`, false on every repeat. Call it in the transaction that applies the delivery,
// so a crash before commit leaves the key unseen.
Result<bool> first_delivery(Connection& db, Network network, const std::string& key, std::int64_t now);

}  // namespace hub::bridge
