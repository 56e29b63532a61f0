// The Matrix connector's own tables (its migration): the reaction events it sent or applied, so a
// reaction removed on either side becomes a redaction or a removal on the other; and the Matrix
// users it has seen, with the hub ghost standing for each and the last display name.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bridge/matrix/matrix_format.hpp"
#include "hub/store/connection.hpp"
#include "hub/store/migrations.hpp"

namespace hub::bridge::matrix {

using http::Result;
using http::Status;
using store::Connection;

store::Migration matrix_migration(int version);

struct ReactionRow {
  std::string event_id;  // the m.reaction event
  std::string room;
  std::int64_t message_id = 0;
  std::int64_t user_id = 0;  // the hub user (or ghost) who reacted
  std::string emoji;
};

// Records a reaction event; the same event again changes nothing.
Status remember_reaction(Connection& db, const ReactionRow& r);
Result<std::optional<ReactionRow>> reaction_by_event(Connection& db, const std::string& event_id);
// The latest reaction event for `user_id`'s `emoji` on `message_id`.
Result<std::optional<ReactionRow>> reaction_of(Connection& db, std::int64_t message_id, std::int64_t user_id,
                                               const std::string& emoji);
// The latest reaction event with `emoji` on `message_id` made for a hub member (not one applied
// from a Matrix user's reaction): in bot mode the bot's one reaction for that emoji.
Result<std::optional<ReactionRow>> hub_reaction_of(Connection& db, std::int64_t message_id, const std::string& emoji);
Status forget_reaction(Connection& db, const std::string& event_id);

struct MatrixUser {
  std::string user_id;            // "@ana:hs.example"
  std::optional<std::int64_t> ghost_id;  // the hub ghost, once one was made
  std::string handle;             // the ghost's hub handle, once one was made
  std::string display_name;       // the last one seen in a membership event; may be empty
};
// Records what is known (an empty display name or a missing ghost keeps the stored one).
Status remember_user(Connection& db, const MatrixUser& u);
Result<std::optional<MatrixUser>> find_user(Connection& db, const std::string& user_id);

// Whether appservice transaction `txn` was applied before (bridge/mappings.hpp's first_delivery
// records it once every event of it is in).
Result<bool> delivered(Connection& db, const std::string& txn);

// The Matrix ids of hub handles: a ghost's own Matrix user, anyone else's appservice user.
Result<std::vector<std::string>> matrix_ids_of(Connection& db, const std::vector<std::string>& handles,
                                               const UserNamespace& ns);

}  // namespace hub::bridge::matrix
