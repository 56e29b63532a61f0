// The durable event stream: one row per change, appended in the change's own transaction, with a
// strictly increasing seq. Live clients and the bridge resume from a seq.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hub/store/connection.hpp"
#include "hub/store/migrations.hpp"

namespace hub::discussion {

using http::Result;
using http::Status;
using store::Connection;

// Where a change was made: on the hub itself, or in a bridged Matrix room or Slack channel.
enum class Network { hub, matrix, slack };
std::string_view network_name(Network n);
std::optional<Network> parse_network(std::string_view name);

// Who made a change and through which network, recorded on every event, so a bridge never sends
// back what it received.
struct Origin {
  std::int64_t actor_id = 0;  // the user (or ghost) who made the change
  Network network = Network::hub;
};

struct Event {
  std::int64_t seq = 0;
  std::int64_t channel_id = 0;
  std::string kind;     // message.posted|edited|deleted|reacted|replied, or channel.updated
  std::string payload;  // JSON: the message (or for channel.*, the channel) as it is after the change
  std::int64_t message_id = 0;  // 0 for a channel.* event
  Origin origin;
  std::string delta;  // message.reacted: {"user_id","handle","emoji","added"}; empty when none changed
  // Random, chosen by append_event: tells this event from another given the same seq after a
  // restore from a backup (the seqs of the events lost with the disk are given out again), and
  // the same for this event in the backup. Empty for an event written before migration 16.
  std::string nonce;
};

// Appends `e` (its seq ignored) with a new nonce, which it sets on `e`, and returns the new seq.
Result<std::int64_t> append_event(Connection& db, Event& e, std::int64_t now);
// The largest seq ever appended (0 when none).
Result<std::int64_t> head_seq(Connection& db);
// Events with since < seq <= until, in order, at most `limit`; every channel when `channels` is empty.
Result<std::vector<Event>> read_events(Connection& db, const std::vector<std::int64_t>& channels, std::int64_t since,
                                       std::int64_t until, int limit);
// Replaces the payload of every earlier event about the message (a delete must not leave its text behind).
Status rewrite_events_of(Connection& db, std::int64_t message_id, const std::string& payload);

// The frame a live client receives for `e`; built once per event and shared by every subscriber.
// The payload is under "message", or under "channel" for a channel.* event.
std::string event_frame(const Event& e);

// Migration `version`: who and which network on every event, reaction deltas, ghosts and the
// bridge's idempotency keys (bridge_seam.hpp).
store::Migration bridge_seam_migration(int version);
// Migration `version`: the events' nonce (Event::nonce).
store::Migration event_nonce_migration(int version);

}  // namespace hub::discussion
