// The relay: hub events -> the durable outbox -> a connector (Matrix, Slack), in order per channel.
//
// Two loops per connector, on the network thread:
// - the queue loop follows the event stream from the network's stored hub cursor
//   (BridgeSeam::next_events, woken by new events), and in ONE write job puts every event of a
//   mapped channel that should_relay() to the network into the outbox (keyed "network:seq") and
//   advances the cursor; so after a crash nothing is queued twice or skipped. A batch that queues
//   nothing moves the cursor in memory, written within RelayOptions::cursor_every;
// - the send loop takes the outbox rows that are due, at most one per channel at a time and never
//   past an earlier pending row of the same channel (in order per room), resolves the remote ids
//   the connector needs (the message itself for edits, deletes and reactions; the replied-to
//   message; the thread root) and calls Connector::send. A send that succeeds records the remote
//   id (and maps a new message in the id map); a failure backs off with jitter or the remote's
//   Retry-After, and parks after RetryPolicy::max_attempts with its error on the mapping's status.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <atomic>
#include <chrono>
#include <random>
#include <map>
#include <set>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "bridge/id_map.hpp"
#include "bridge/mappings.hpp"
#include "bridge/outbox.hpp"
#include "hub/discussion/bridge_seam.hpp"
#include "hub/http/clock.hpp"
#include "hub/store/executor.hpp"

namespace hub::bridge {

// One hub event bound for a mapped room, as the connector sees it at send time.
struct Outgoing {
  std::string txn_id;           // bridge::txn_of the event: the same on every resend, for idempotency
  int attempt = 1;              // 1 on the first try
  // An earlier try of this change may have reached the remote with its answer lost: a retry after
  // a failure, or the first send of the channel since the relay started (a crash may have cut
  // off the send in flight, and a channel sends one change at a time, so only its first).
  // A remote without idempotent sends (Slack) looks before sending again.
  bool maybe_sent = false;
  // A post (maybe_sent) of a message deleted since: it must not be posted now, but an earlier try
  // may have reached the remote. The connector only finds that one (a "sent" outcome with its
  // remote id, which the relay maps so the delete that follows reaches it), or answers skipped.
  bool lookup_only = false;
  discussion::Event event;      // kind, payload (the message after the change), message_id, origin, delta
  Mapping mapping;              // the channel's mapping on this network
  std::optional<RemoteRef> self;         // the message's own remote id, once it was sent (edits, deletes, reactions)
  std::optional<RemoteRef> reply_to;     // the replied-to message's remote id, when it has one
  std::optional<RemoteRef> thread_root;  // the thread root's remote id, when it has one
  // message.reacted: per emoji, how many people on the hub react with it after the change, not
  // counting this network's own ghosts (their reactions are the remote's own). A remote where the
  // bridge reacts once per emoji for everyone (Slack, Matrix bot mode) adds its reaction on 0 -> 1
  // and removes it on 1 -> 0.
  std::map<std::string, int> hub_reactions;
};

// Per emoji, how many people on the hub react with it in `message` (an event's payload: the
// message right after the change), not counting `network`'s own ghosts: Outgoing::hub_reactions.
Result<std::map<std::string, int>> hub_reactions(Connection& c, const nlohmann::json& message, Network network);

struct SendOutcome {
  enum class Kind {
    sent,     // delivered; `remote_id` is the new remote message (a post or reply) or empty
    skipped,  // nothing to send (e.g. an edit of a message the remote never had); not an error
    retry,    // failed for now (network, 5xx, 429): back off, or wait `retry_after_s`
    failed,   // will never work as is (4xx other than 429): parked at once with `error`
  };
  Kind kind = Kind::sent;
  std::string remote_id;
  std::string error;  // for the admin page and the log; never holds a token
  std::optional<std::int64_t> retry_after_s;
  // The remote's own wait when it gave one in milliseconds (Matrix retry_after_ms). A wait under a
  // second is waited out in memory and the change resent at once, so a rate-limited remote is
  // used up to its limit rather than once a second.
  std::optional<std::int64_t> retry_after_ms;
  // A `failed` whose reason is a state of the remote the hub keeps (the Matrix bot out of the
  // room): the named bridge cursor's remote value, which must still equal `error` when the park is
  // recorded. When it no longer does (the bot came back while this send was under way), the row
  // stays pending instead of being parked with a reason already gone.
  std::string unless_cleared;
};

class Connector {
 public:
  virtual ~Connector() = default;
  virtual Network network() const = 0;
  // Sends one change. Pacing (e.g. Slack's one message per second per channel) is the
  // connector's own business; it may co_await before sending.
  virtual boost::asio::awaitable<SendOutcome> send(Outgoing out) = 0;
};

struct RelayOptions {
  RetryPolicy retry;
  int batch = 100;  // events read per queue step
  // A batch of events that queues nothing (no mapped channel on this network takes them) moves
  // the cursor in memory; it is written with the next write, or this long after, whichever comes
  // first, so such a batch costs no write and no fsync of its own. A restart re-reads at most that
  // much of the stream, and queues from it only what a mapping takes.
  std::chrono::milliseconds cursor_every{1000};
};

class Relay {
 public:
  Relay(store::Executor& db, discussion::BridgeSeam& seam, const Clock& clock, Connector& connector,
        RelayOptions options = {});

  // Starts both loops on `executor` (the live stream's). REQUIRES: the live stream is attached.
  void start(boost::asio::any_io_executor executor);
  // Ends both loops at their next wait; the outbox keeps what was not sent.
  void stop();
  // Wakes the send loop now (an admin's "retry", a new mapping, a test that moved the clock).
  void poke();

  Network network() const { return connector_.network(); }
  // Counters for /metrics (read from any thread).
  std::uint64_t sent() const { return sent_.load(); }
  std::uint64_t failures() const { return failures_.load(); }

 private:
  boost::asio::awaitable<void> queue_loop();
  // Writes unwritten_cursor_ after cursor_every, unless a write took it meanwhile.
  boost::asio::awaitable<void> flush_cursor();
  boost::asio::awaitable<void> send_loop();
  // Sends `row`, then the channel's next rows while they are due; one such drain per channel.
  boost::asio::awaitable<void> drain_channel(PendingSend row);
  struct Step {
    bool done = false;                             // sent or skipped; false: failed, waits for its retry
    std::optional<std::chrono::milliseconds> again;  // a short wait the remote asked for: resend after it
  };
  // Sends `row` once. `quick_retry`: a wait under a second may be answered with Step::again
  // instead of a recorded failure.
  boost::asio::awaitable<Step> send_one(const PendingSend& row, bool quick_retry);
  // Waits `wait`, or less when poked or stopped.
  boost::asio::awaitable<void> pause(std::chrono::milliseconds wait);

  store::Executor& db_;
  discussion::BridgeSeam& seam_;
  const Clock& clock_;
  Connector& connector_;
  const RelayOptions options_;
  boost::asio::any_io_executor executor_;
  std::unique_ptr<boost::asio::steady_timer> wake_;  // the loops' waits; poke() and stop() cancel it
  std::set<std::int64_t> busy_channels_;             // channels with a drain running
  std::set<std::int64_t> sent_channels_;             // channels with a send since start (see Outgoing::maybe_sent)
  std::optional<std::int64_t> pruned_at_;            // when queue_loop last pruned sent outbox rows
  std::optional<std::chrono::steady_clock::time_point> cursor_written_;  // queue_loop's last cursor write
  std::int64_t unwritten_cursor_ = 0;                // moved in memory only (0: none); flush_cursor() writes it
  bool flush_armed_ = false;                         // flush_cursor() is waiting
  std::unique_ptr<boost::asio::steady_timer> flush_timer_;  // its wait; stop() cancels it
  bool poked_ = false;                               // poke() since the send loop last looked
  std::mt19937 random_{std::random_device{}()};     // jitter
  bool stopping_ = false;
  std::atomic<std::uint64_t> sent_{0};      // changes delivered
  std::atomic<std::uint64_t> failures_{0};  // sends that failed (each retry counts)
};

}  // namespace hub::bridge
