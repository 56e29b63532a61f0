// The Events API's payloads, read into plain facts: which change a Slack event asks of the hub,
// or why it is skipped. Pure functions; applying the change is slack_bridge's business.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hub/http/error.hpp"

namespace hub::bridge::slack {

// The metadata event_type on everything the hub posts to Slack; its payload carries the provenance
// key (loop_guard.hpp) with the outbox id, so an echo is recognised even before the post returns.
inline constexpr std::string_view kMetadataEventType = "cohorthub_relay";
// The subtype of what stays of a thread's first message deleted in Slack (announced through
// message_changed, and kept in conversations.history): a delete, for the hub.
inline constexpr std::string_view kTombstone = "tombstone";

struct Envelope {
  enum class Type { url_verification, event_callback, other };
  Type type = Type::other;
  std::string challenge;  // url_verification
  std::string event_id;   // event_callback: Slack's id, the same on every retry
  nlohmann::json event;   // event_callback: the inner event
};
// bad_request for malformed JSON, a body that is not an object, or an event_callback without an
// event_id or an event object.
http::Result<Envelope> parse_envelope(std::string_view body);
// The same for a payload already parsed (a Socket Mode envelope's).
http::Result<Envelope> read_envelope(nlohmann::json doc);

// Who the hub is in the workspace (from auth.test), so its own posts and reactions are echoes.
struct OwnApp {
  std::string bot_id;       // "B…"
  std::string bot_user_id;  // "U…"
  std::string app_id;       // "A…"
  std::string team_url;     // "https://team.slack.com/": where message permalinks point
};

struct Inbound {
  enum class Kind { post, edit, remove, react, skip };
  Kind kind = Kind::skip;
  std::string channel;
  std::string ts;         // post: the new message; edit, remove, react: the message changed
  std::string thread_ts;  // post: the thread root's ts for a reply in a thread, else empty
  std::string user;       // the Slack user (or bot) who made the change
  std::string name;       // a bot message's own username, when it has one
  std::string text;       // post, edit: mrkdwn, with shared files appended as links
  std::string emoji;      // react: ":name:"
  bool add = true;        // react: added or removed
  std::string reason;     // skip: why, for the log
};
Inbound classify(const nlohmann::json& event, const OwnApp& own);

// `o`'s field `key` when it is a string, else empty (also when `o` is not an object): what Slack
// sends is read without trusting its types.
std::string text_of(const nlohmann::json& o, const char* key);

}  // namespace hub::bridge::slack
