// Channels (per cohort, or hub-wide), mutes and read markers. Who may do what is policy.hpp's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/cohorts/cohort_store.hpp"
#include "hub/discussion/event_log.hpp"
#include "hub/discussion/policy.hpp"
#include "hub/http/pagination.hpp"
#include "hub/http/router.hpp"
#include "hub/store/connection.hpp"
#include "hub/store/migrations.hpp"

namespace hub::discussion {

using http::ApiError;
using http::Principal;
using http::Result;
using http::Status;
using store::Connection;

// Every discussion table, the events table included.
store::Migration discussion_migration(int version);
// Migration `version`: when (and by whom) a channel was archived.
store::Migration channel_archive_migration(int version);

struct Channel {
  std::int64_t id = 0;
  std::optional<std::int64_t> cohort_id;  // nullopt: hub-wide
  std::string name;
  std::string topic;
  std::optional<std::int64_t> archived_at;  // set while the channel is archived (read-only)
  ChannelFacts facts() const { return {cohort_id, archived_at.has_value()}; }
};

// The channel with that id, whoever asks; not_found if absent. Callers that answer a user go
// through visible_channel instead.
Result<Channel> find_channel(Connection& db, std::int64_t channel_id);

// What a moderator changes about a channel; nullopt keeps the current value.
struct ChannelUpdate {
  std::optional<std::string> name;
  std::optional<std::string> topic;
  std::optional<bool> archived;
};
// Applies `update` and appends a channel.updated event (origin: `by`) when anything changed.
// conflict when another channel of its cohort (or of the hub) has the new name. Returns the
// channel as it now is, and the event, if one was appended.
// REQUIRES: validated; policy::rename_channel (and archive_channel, for `archived`) allowed it.
struct ChannelChange {
  Channel channel;
  std::vector<Event> events;  // zero or one channel.updated
};
Result<ChannelChange> update_channel(Connection& db, const Channel& channel, const ChannelUpdate& update,
                                     std::int64_t by, std::int64_t now);
// The facts the policy needs about `who`: role and cohorts.
Actor actor_of(Connection& db, cohorts::CohortMembership& membership, const Principal& who);

// REQUIRES: `name` and `topic` are validated; policy::create_channel allowed it.
Result<Channel> insert_channel(Connection& db, const std::string& name, std::optional<std::int64_t> cohort_id,
                               const std::string& topic, std::int64_t created_by, std::int64_t now);
// The channel if policy::see_channel allows `actor` to see it; anything else is not_found, so a
// channel's existence does not leak.
Result<Channel> visible_channel(Connection& db, const Actor& actor, std::int64_t channel_id);

// Channels `actor` can see, by id, each with `unread` (top-level messages by others after the marker).
Result<nlohmann::json> list_channels(Connection& db, const Actor& actor, const http::Page& page);
// Every channel id `who` can see (for checking a live subscription).
Result<std::vector<std::int64_t>> readable_channel_ids(Connection& db, const Principal& who);

// Moves the read marker forward (never back).
Status mark_read(Connection& db, std::int64_t channel_id, std::int64_t user_id, std::int64_t message_id);
Status mute(Connection& db, std::int64_t channel_id, std::int64_t user_id, std::int64_t until, std::int64_t by);
// The end of a running mute of `user_id` in the channel, if any.
Result<std::optional<std::int64_t>> muted_until(Connection& db, std::int64_t channel_id, std::int64_t user_id,
                                                std::int64_t now);

nlohmann::json channel_json(const Channel& ch);

}  // namespace hub::discussion
