// Messages: posting, threads, edits with history, tombstone deletes, reactions, mentions, pages.
// Every change appends an event (event_log.hpp) in the same transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/discussion/channel_store.hpp"
#include "hub/discussion/event_log.hpp"

namespace hub::discussion {

inline constexpr std::size_t kMaxBodyBytes = 10'000;

// A committed change: the message as it now is, and the seq of the event that records it.
struct Change {
  nlohmann::json message;
  std::int64_t seq = 0;
  std::int64_t channel_id = 0;
  // Every event the change appended, in seq order (a reply also updates its thread root): handed
  // to live subscribers straight from the write, without reading them back.
  std::vector<Event> events;
};

struct NewMessage {
  std::string body;
  std::string html;  // body rendered by hub/markdown, chat flavour
  std::optional<std::int64_t> reply_to;
  std::optional<std::int64_t> thread_root;
};

// The @handles written in `body` (lowercased, unique, in order of appearance).
std::vector<std::string> mentioned_handles(std::string_view body);

// The message as clients see it (author, reactions, mentions, reply count); not_found if absent.
Result<nlohmann::json> message_json(Connection& db, std::int64_t message_id);
// The channel a message lives in; not_found if absent.
Result<std::int64_t> channel_of(Connection& db, std::int64_t message_id);

// What the policy and the writers need to know about a message.
struct MessageRef {
  std::int64_t channel_id = 0;
  MessageFacts facts;  // author and the author's role
  bool deleted = false;
};
// not_found if absent.
Result<MessageRef> message_ref(Connection& db, std::int64_t message_id);

// REQUIRES: the author may post in `channel` (checked by the caller).
// `network` is where the change came from (Network::hub unless a bridge applies it).
Result<Change> post_message(Connection& db, const Channel& channel, std::int64_t author_id, const NewMessage& m,
                            std::int64_t now, Network network = Network::hub);
// REQUIRES (these three): the policy allowed `user_id` the change. A deleted message is conflict
// for an edit or a reaction, not_found for a delete.
Result<Change> edit_message(Connection& db, std::int64_t message_id, std::int64_t user_id, const std::string& body,
                            const std::string& html, std::int64_t now, Network network = Network::hub);
Result<Change> delete_message(Connection& db, std::int64_t message_id, std::int64_t user_id, std::int64_t now,
                              Network network = Network::hub);
// The event carries the delta ({"user_id","handle","emoji","added"}) when the reaction changed.
Result<Change> set_reaction(Connection& db, std::int64_t message_id, std::int64_t user_id, const std::string& emoji,
                            bool add, std::int64_t now, Network network = Network::hub);

struct MessageQuery {
  std::int64_t channel_id = 0;
  std::optional<std::int64_t> thread_root;  // nullopt: the channel's top-level messages
  std::optional<std::int64_t> before;       // ids < before, newest first page
  std::optional<std::int64_t> after;        // ids > after
  int limit = 50;
};
// {"items": [...ascending id], "older": id|null, "newer": id|null}: pass older as ?before= and
// newer as ?after= for the next page either way; null means there is none.
Result<nlohmann::json> list_messages(Connection& db, const MessageQuery& q);
// Earlier versions of a message, oldest first.
Result<nlohmann::json> message_history(Connection& db, std::int64_t message_id);

}  // namespace hub::discussion
