// The Matrix side of the relay (bridge/relay.hpp): sends hub changes into the mapped room through
// the client-server API, as the appservice's ghost of the hub user who made them.
//
// - Messages: PUT /rooms/{roomId}/send/m.room.message/{txnId}?user_id=<ghost>, txnId from the
//   outbox id and the event's nonce (bridge::txn_of), so a resend is idempotent; the content
//   carries the provenance key.
// - Bot mode: the same calls as the bot account, with no ghosts; a message's text starts with its
//   author's display name, and a reaction shows once per emoji while anyone on the hub other than
//   Matrix's own ghosts reacts with it (Outgoing::hub_reactions).
// - Ghosts are registered lazily (m.login.application_service; M_USER_IN_USE is fine), their display
//   name kept current, and they join the room when the homeserver says they are not in it.
// - Edits: m.replace with m.new_content; deletes: redactions; replies: m.in_reply_to; threads:
//   m.thread with the reply fallback; reactions: m.annotation, removed by redacting them.
// - 429 M_LIMIT_EXCEEDED and 5xx/network errors are `retry` (with the remote's wait); other 4xx
//   are `failed` with the errcode.
// - The bot removed from a room (kicked, banned, or left: note_removed, from the inbound side):
//   every send into the room is parked at once with the reason the mapping shows, without a call
//   to the homeserver, until the bot is back in the room (note_back). The bot never joins a room
//   again on its own after a refusal (bot mode: M_FORBIDDEN on a send is retried while the sync
//   loop joins newly mapped rooms).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "bridge/loop_guard.hpp"
#include "bridge/matrix/matrix_format.hpp"
#include "bridge/relay.hpp"
#include "hub/http/client.hpp"
#include "hub/store/executor.hpp"

namespace hub::bridge::matrix {

// How the hub is present in Matrix: an appservice with a ghost per hub member, or one plain
// account (bot mode, for homeservers where no appservice can be registered) that sends for
// everyone as "Display Name: text" and reads the rooms through /sync (bot_sync.hpp).
enum class MatrixMode { appservice, bot };

struct MatrixOptions {
  MatrixMode mode = MatrixMode::appservice;
  std::string homeserver_url;  // e.g. "https://hs.example", no trailing slash
  UserNamespace users;         // prefix and server_name
  std::string sender_localpart;  // the appservice's own user
  std::string as_token;        // what the hub sends to the homeserver: the as_token, or the bot's access token
  std::string hs_token;        // what the homeserver sends to the hub (appservice mode; empty in bot mode)
  std::string bot_user;        // bot mode: the account's user id, e.g. "@cohortbot:matrix.org"
  std::chrono::milliseconds sync_timeout{30'000};  // bot mode: how long one /sync long poll waits

  bool bot() const { return mode == MatrixMode::bot; }
  std::string bot_user_id() const { return bot() ? bot_user : "@" + sender_localpart + ":" + users.server; }
  // Who an inbound event must not come from: our ghosts (appservice mode only) and our own user.
  OwnIdentities own_identities() const { return {bot() ? std::string() : users.ghost_prefix(), bot_user_id()}; }
};

// What the homeserver answered to one client-server call.
struct MatrixReply {
  http::ClientResponse response;
  nlohmann::json body;  // the parsed JSON body, or null
  std::string errcode;  // body.errcode, when any
  bool bot_not_in_room = false;  // bot mode: M_FORBIDDEN, not joined (yet): retried, never parked

  bool ok() const { return response.ok() && response.status >= 200 && response.status < 300; }
};

// The outcome of a failed reply: retry (network, 5xx, 429 with its wait) or failed (other 4xx).
SendOutcome failure_of(const MatrixReply& reply, std::string_view what);

class MatrixConnector final : public Connector {
 public:
  MatrixConnector(store::Executor& db, http::HttpClient& client, MatrixOptions options)
      : db_(db), client_(client), options_(std::move(options)) {}

  Network network() const override { return Network::matrix; }
  boost::asio::awaitable<SendOutcome> send(Outgoing out) override;

  // Registers hub user `handle`'s ghost (once per process) and sets its display name when it
  // changed; nullopt when done, else the outcome to report.
  boost::asio::awaitable<std::optional<SendOutcome>> ensure_ghost(std::string handle, std::string display_name);

  const MatrixOptions& options() const { return options_; }

  // The bot was removed from `room` (mapping `mapping_id`): `why` becomes the mapping's status and
  // every later send into the room is parked with it. Stored, so a restart keeps it.
  boost::asio::awaitable<http::Status> note_removed(std::int64_t mapping_id, std::string room, std::string why);
  // Sets `found` to the event an earlier try of `out` (a new message by `handle`'s ghost) made in
  // its room, found by its provenance among the room's newest messages (at most kLookupPages of
  // 100), or "" when none; returns the outcome when the look-up itself failed (classified as a
  // send's). For a send that may have arrived (Outgoing::maybe_sent): a repeated txnId alone would
  // post twice once the homeserver forgot it.
  boost::asio::awaitable<std::optional<SendOutcome>> find_by_provenance(const Outgoing& out, const std::string& handle,
                                                                        std::string& found);
  static constexpr int kLookupPages = 5;

  // The bot is in `room` again: sends go through, the status is cleared, and the messages parked
  // because it was out are pending again (then `on_requeued` runs: the hub wakes the relay).
  boost::asio::awaitable<http::Status> note_back(std::int64_t mapping_id, std::string room);
  void on_requeued(std::function<void()> wake) { on_requeued_ = std::move(wake); }
  // Why the bot is out of `room`; empty when it is not known to be out.
  boost::asio::awaitable<http::Result<std::string>> removed_from(std::string room);

  // One client-server call with the as_token (or the bot's token); `as_user` adds ?user_id= in
  // appservice mode (empty: the sender itself; ignored in bot mode).
  boost::asio::awaitable<MatrixReply> call(http::Method method, std::string path, std::string as_user,
                                           nlohmann::json body);
  // `request` with the token added and the answer parsed (the /sync long poll sets its own
  // timeout and size limit).
  boost::asio::awaitable<MatrixReply> exchange(http::ClientRequest request);

 private:
  // A call into `room` as `as_user`, joined first and retried once when the homeserver answers
  // M_FORBIDDEN (not in the room).
  boost::asio::awaitable<MatrixReply> call_in_room(http::Method method, std::string path, std::string room,
                                                   std::string as_user, nlohmann::json body);

  boost::asio::awaitable<SendOutcome> send_message(const Outgoing& out, const nlohmann::json& message, bool edit);
  // Outgoing::lookup_only: the earlier send of a message deleted since, found by repeating its PUT.
  boost::asio::awaitable<SendOutcome> find_sent(const Outgoing& out, const nlohmann::json& message);
  // PUTs `content` into the change's room as `handle`'s ghost, under the change's txnId (a repeat
  // answers the event made the first time); sent with the event id when `new_event`, else without.
  // `failing` starts the error ("sending to "), the room ends it.
  boost::asio::awaitable<SendOutcome> put_message(const Outgoing& out, const std::string& handle,
                                                  nlohmann::json content, const char* failing, bool new_event);
  boost::asio::awaitable<SendOutcome> send_redaction(const Outgoing& out, const std::string& event_id,
                                                      std::string as_user);
  boost::asio::awaitable<SendOutcome> send_reaction(const Outgoing& out, const nlohmann::json& delta);
  boost::asio::awaitable<SendOutcome> send_bot_reaction(const Outgoing& out, const nlohmann::json& delta);

  store::Executor& db_;
  http::HttpClient& client_;
  const MatrixOptions options_;
  std::set<std::string> registered_;                 // ghosts registered by this process
  std::map<std::string, std::string> display_names_;  // the display name last set per ghost
  std::map<std::string, std::string> removed_;        // room -> why the bot is out ("": in), as stored
  std::function<void()> on_requeued_;                 // note_back() made parked sends pending again
};

}  // namespace hub::bridge::matrix
