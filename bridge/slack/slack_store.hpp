// The Slack connector's tables (its migration): the bot token and signing secret, sealed like
// engagements and never shown again; and the inbound queue, where a signed event is written
// before Slack gets its answer and from which it is applied after.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "hub/sharing/record_keys.hpp"
#include "hub/store/connection.hpp"
#include "hub/store/migrations.hpp"

namespace hub::bridge::slack {

using http::Result;
using http::Status;
using store::Connection;

store::Migration slack_migration(int version);
// Lets slack_secrets hold the app-level token (Socket Mode) too.
store::Migration slack_app_token_migration(int version);

// The secrets an admin may store. REQUIRES: `name` is one of these.
inline constexpr const char* kBotToken = "bot_token";
inline constexpr const char* kSigningSecret = "signing_secret";
inline constexpr const char* kAppToken = "app_token";

Status store_secret(Connection& db, const sharing::RecordCipher& cipher, const std::string& name,
                    const std::string& value, std::int64_t by, std::int64_t now);
// nullopt when none is stored; an error when the sealed value does not open (another key).
Result<std::optional<std::string>> load_secret(Connection& db, const sharing::RecordCipher& cipher,
                                               const std::string& name);

// Records `event_id` as seen (bridge_inbound_seen) and queues the event, in the caller's
// transaction; false, and nothing written, when Slack sent it before.
Result<bool> queue_event(Connection& db, const std::string& event_id, const std::string& event_json, std::int64_t now);
struct QueuedEvent {
  std::string event_id;
  std::string event_json;
};
// The oldest queued events first.
Result<std::vector<QueuedEvent>> queued_events(Connection& db, int limit);
// Removes an applied (or skipped) event; meant for the transaction that applies it.
Status drop_event(Connection& db, const std::string& event_id);

// Where catch-up resumes in Slack channel `channel`: the newest message ts the hub has (empty at
// first). Advancing never moves it back.
Result<std::string> history_cursor(Connection& db, const std::string& channel);
Status advance_history_cursor(Connection& db, const std::string& channel, const std::string& ts);
// Whether Slack ts `a` is later than `b` ("1700000000.000100"; an empty one is earliest).
bool later_ts(std::string_view a, std::string_view b);

// A hub message mapped to a message of Slack channel `channel`, as the hub holds it now: what
// catch-up compares with Slack's own copy (SlackBridge's reconcile).
struct MappedSlackMessage {
  std::int64_t message_id = 0;
  std::string ts;
  std::string author;     // the Slack user who wrote it (its author is a Slack ghost); empty: the hub's own post
  std::string thread_ts;  // a reply in a thread: the root's ts; else empty
  std::string body;       // hub Markdown
  bool deleted = false;
  std::set<std::pair<std::string, std::string>> reactions;  // (Slack user, ":name:") through Slack ghosts
};
// The messages mapped in `channel` whose ts is `from_ts` or later (all when empty). Slack ts
// compare as text here: ten digits of seconds until the year 2286.
Result<std::vector<MappedSlackMessage>> mapped_slack_messages(Connection& db, const std::string& channel,
                                                              const std::string& from_ts);
// The newest ts mapped in `channel` (empty when none).
Result<std::string> newest_mapped(Connection& db, const std::string& channel);
// Whether a message older than `ts` is mapped in `channel`.
Result<bool> mapped_before(Connection& db, const std::string& channel, const std::string& ts);

// Slack ghosts: hub handle -> Slack user id, and Slack user id -> hub handle, for those that exist.
Result<std::map<std::string, std::string>> slack_users_of(Connection& db, const std::vector<std::string>& handles);
Result<std::map<std::string, std::string>> handles_of(Connection& db, const std::vector<std::string>& slack_users);

}  // namespace hub::bridge::slack
