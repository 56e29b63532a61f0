// Channels (per cohort, or hub-wide), who may read, post and moderate them, mutes and read markers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "hub/cohorts/cohort_store.hpp"
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

struct Channel {
  std::int64_t id = 0;
  std::optional<std::int64_t> cohort_id;  // nullopt: hub-wide
  std::string name;
  std::string topic;
};

// REQUIRES: `name` and `topic` are validated; the caller checked may_create_channel.
Result<Channel> insert_channel(Connection& db, const std::string& name, std::optional<std::int64_t> cohort_id,
                               const std::string& topic, std::int64_t created_by, std::int64_t now);
// Admins and mentors create channels; a mentor only in a cohort of theirs, hub-wide ones only admins.
Status may_create_channel(Connection& db, cohorts::CohortMembership& membership, const Principal& who,
                          std::optional<std::int64_t> cohort_id);

// The channel if `who` may read it: hub-wide ones everyone, cohort ones its members and admins.
// Anything else is not_found, so a channel's existence does not leak.
Result<Channel> visible_channel(Connection& db, cohorts::CohortMembership& membership, const Principal& who,
                                std::int64_t channel_id);
bool is_moderator(Connection& db, cohorts::CohortMembership& membership, const Principal& who, const Channel& ch);

// Channels `who` can read, by id, each with `unread` (top-level messages by others after the marker).
Result<nlohmann::json> list_channels(Connection& db, const Principal& who, const http::Page& page);
// Every channel id `who` can read (for checking a live subscription).
Result<std::vector<std::int64_t>> readable_channel_ids(Connection& db, const Principal& who);

// Moves the read marker forward (never back).
Status mark_read(Connection& db, std::int64_t channel_id, std::int64_t user_id, std::int64_t message_id);
Status mute(Connection& db, std::int64_t channel_id, std::int64_t user_id, std::int64_t until, std::int64_t by);
// The end of a running mute of `user_id` in the channel, if any.
Result<std::optional<std::int64_t>> muted_until(Connection& db, std::int64_t channel_id, std::int64_t user_id,
                                                std::int64_t now);

nlohmann::json channel_json(const Channel& ch);

}  // namespace hub::discussion
