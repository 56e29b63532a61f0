// Bot mode's inbound side: the bot account long-polls /sync and hands each event of a mapped room
// to the appservice path's inbound code (AppserviceRoutes::apply_event), which applies it once
// per event id.
//
// - A filter (POST /user/{userId}/filter) keeps the sync to the mapped rooms' m.room.message,
//   m.reaction, m.room.redaction and m.room.member, with lazy-loaded members (their display
//   names); a changed
//   set of mappings gets a new filter, and the bot joins the rooms, on the next round.
// - `next_batch` is stored (bridge/mappings.hpp's remote cursor "sync.next_batch") only after
//   every event of its batch was durably applied: a crash repeats a batch, never loses one, and
//   the repeat is skipped by event id.
// - A `limited` timeline is gap-filled through /rooms/{roomId}/messages, backwards from its
//   prev_batch to the previous next_batch, and applied oldest first.
// - The very first sync only takes the position, and in a newly mapped room only what follows
//   the bot's join is applied: a room's history from before the bridge is not imported.
// - The bot's own leave or ban (in a joined room's timeline or in `rooms.leave`) shows on the
//   mapping and parks the room's sends (MatrixConnector::note_removed); the bot does not join that
//   room again at start-up. An invite into a mapped room (`rooms.invite`) is accepted, and only
//   what follows the join is applied.
// - 429 M_LIMIT_EXCEEDED waits retry_after_ms (or Retry-After); 5xx and network errors back off
//   (0.5 s doubling to a minute); 401 M_UNKNOWN_TOKEN sets every Matrix mapping's status and ends
//   the loop until the hub is restarted with a new token.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "bridge/matrix/appservice_routes.hpp"
#include "bridge/matrix/matrix_connector.hpp"

namespace hub::bridge::matrix {

// The remote cursor name under which the bot's next_batch is stored.
inline constexpr const char* kNextBatchCursor = "sync.next_batch";

// What one round of the sync loop did.
struct SyncRound {
  enum class Kind {
    synced,  // a batch was applied and its next_batch stored
    retry,   // nothing stored; try again after `wait`
    halted,  // the homeserver refused the token: the loop ends
  };
  Kind kind = Kind::synced;
  std::chrono::milliseconds wait{0};
  int events = 0;        // events handed to the inbound path (applied, or skipped with a reason)
  std::string error;     // why it did not sync; never holds a token
};

class BotSync {
 public:
  // REQUIRES: `connector` is in bot mode; both outlive this.
  BotSync(store::Executor& db, MatrixConnector& connector, AppserviceRoutes& inbound)
      : db_(db), connector_(connector), inbound_(inbound) {}

  // Runs the loop on `executor` (the network thread: every wait is asynchronous).
  void start(boost::asio::any_io_executor executor);
  // Ends the loop at its next wait. A long poll in flight is cut off by the HTTP client's
  // shutdown (it is sent cancel_on_shutdown); its batch was not applied, so next_batch is unchanged.
  void stop();
  // The mappings changed: the next round uploads a new filter and joins the new rooms.
  void poke() { rooms_changed_ = true; }

  // One round: filter, /sync, gap fills, apply, store next_batch. Tests drive it directly.
  boost::asio::awaitable<SyncRound> sync_once();

  // Counters for /metrics and the tests (read from any thread).
  std::uint64_t rounds() const { return rounds_.load(); }
  bool halted() const { return halted_.load(); }

 private:
  boost::asio::awaitable<void> run();
  // Joins the mapped rooms and uploads their filter when the mappings changed; an error round
  // when it failed.
  boost::asio::awaitable<std::optional<SyncRound>> refresh_filter();
  // The events of `room` between `since` and `prev_batch` (exclusive), oldest first.
  boost::asio::awaitable<http::Result<std::vector<nlohmann::json>>> gap_fill(const std::string& room,
                                                                             const std::string& prev_batch,
                                                                             SyncRound& failure);
  // The round for a failed call: halted on a refused token, else retry after the remote's wait or
  // the backoff.
  SyncRound failed(const MatrixReply& reply, std::string_view what);
  // Marks every Matrix mapping with `error` (the admin page shows it).
  boost::asio::awaitable<void> report(std::string error);

  store::Executor& db_;
  MatrixConnector& connector_;
  AppserviceRoutes& inbound_;
  bool since_loaded_ = false;            // since_ read from the store
  std::string since_;                    // the stored next_batch; empty before the first sync
  std::string filter_id_;                // the uploaded filter; empty: none yet
  std::vector<std::string> filter_rooms_;  // the rooms it names
  std::set<std::string> new_rooms_;      // rooms joined for the filter, until a sync included them
  bool rooms_changed_ = true;            // poke() since the filter was made
  int failures_ = 0;                     // rounds failed in a row (the backoff's exponent)
  bool stopping_ = false;
  std::unique_ptr<boost::asio::steady_timer> wait_;  // the pause between failed rounds; stop() cancels it
  std::atomic<std::uint64_t> rounds_{0};  // rounds that synced
  std::atomic<bool> halted_{false};      // the token was refused
};

}  // namespace hub::bridge::matrix
