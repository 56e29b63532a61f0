// The durable event stream: one row per change, appended in the change's own transaction, with a
// strictly increasing seq. Live clients and (later) the bridge resume from a seq.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hub/store/connection.hpp"

namespace hub::discussion {

using http::Result;
using http::Status;
using store::Connection;

struct Event {
  std::int64_t seq = 0;
  std::int64_t channel_id = 0;
  std::string kind;     // message.posted|edited|deleted|reacted|replied
  std::string payload;  // JSON: the message as it is after the change
};

// Returns the new event's seq.
Result<std::int64_t> append_event(Connection& db, std::int64_t channel_id, const std::string& kind,
                                  std::int64_t message_id, const std::string& payload, std::int64_t now);
// The largest seq ever appended (0 when none).
Result<std::int64_t> head_seq(Connection& db);
// Events with since < seq <= until, in order, at most `limit`; every channel when `channels` is empty.
Result<std::vector<Event>> read_events(Connection& db, const std::vector<std::int64_t>& channels, std::int64_t since,
                                       std::int64_t until, int limit);
// Replaces the payload of every earlier event about the message (a delete must not leave its text behind).
Status rewrite_events_of(Connection& db, std::int64_t message_id, const std::string& payload);

// The frame a live client receives for `e`; built once per event and shared by every subscriber.
std::string event_frame(const Event& e);

}  // namespace hub::discussion
