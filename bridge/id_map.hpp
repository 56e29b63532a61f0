// Hub message <-> remote message (a Matrix event id, a Slack ts), persisted, so edits, deletes,
// replies, threads and reactions map across restarts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "hub/discussion/event_log.hpp"

namespace hub::bridge {

using discussion::Network;
using http::Result;
using http::Status;
using store::Connection;

struct RemoteRef {
  std::string room;  // the Matrix room id or Slack channel
  std::string id;    // the Matrix event id or Slack ts
};

// Records the pair; the same pair again is fine, a remote id already mapped to another message is
// conflict. Meant for BridgeWrite::map_row, in the transaction of the change.
Status map_ids(Connection& db, std::int64_t message_id, Network network, const RemoteRef& remote);
Result<std::optional<std::int64_t>> hub_message_for(Connection& db, Network network, const std::string& remote_id);
Result<std::optional<RemoteRef>> remote_for(Connection& db, std::int64_t message_id, Network network);

}  // namespace hub::bridge
