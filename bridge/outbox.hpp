// The durable outbox: a row is written before a send, keyed by a deterministic id, and the remote
// id recorded after. Failures retry with exponential backoff and jitter (or the remote's own
// Retry-After); a message that keeps failing is parked with its error, never dropped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hub/discussion/event_log.hpp"

namespace hub::bridge {

using discussion::Network;
using http::Result;
using http::Status;
using store::Connection;

// The outbox id of hub event `seq` bound for `network`; the same on every resend.
std::string outbox_id(Network network, std::int64_t seq);
// The txnId and provenance of the send of `e` to `network`: its outbox id and the event's nonce,
// the same on every resend and for this event in a backup, and different for another event given
// the same seq after a restore. Only the outbox id for an event written before migration 16.
std::string txn_of(Network network, const discussion::Event& e);

struct OutboxEntry {
  Network network = Network::matrix;
  std::int64_t channel_id = 0;
  std::int64_t seq = 0;  // the hub event this relays
  std::string request;   // what to send, as the connector encodes it (JSON)
};

struct PendingSend {
  std::string id;
  std::int64_t channel_id = 0;
  std::int64_t seq = 0;
  std::string request;
  int attempts = 0;
};

struct RetryPolicy {
  int max_attempts = 8;          // then parked
  std::int64_t base_s = 1;       // the first retry waits about this long
  std::int64_t cap_s = 300;      // and no retry longer than this (unless the remote asks)
};

// Writes a pending row; false (and nothing written) when the event was queued before.
Result<bool> enqueue(Connection& db, const OutboxEntry& e, std::int64_t now);
// The attempts so far of row `id` while it is still pending; nullopt once it was sent or parked
// (or is unknown). A list of due rows read earlier can be stale by the time a row is sent.
Result<std::optional<int>> pending_attempts(Connection& db, const std::string& id);
// How long a sent row stays (a week): long enough to read a mapping's recent traffic, short
// enough that the table holds what is waiting and not every message ever bridged. The id map
// keeps what edits, replies and deletes need.
inline constexpr std::int64_t kSentOutboxKeptS = 7 * 24 * 3600;
inline constexpr std::int64_t kOutboxPruneEveryS = 3600;  // the relay's pruning, at most this often
// Deletes `network`'s sent rows created before `before` (waiting and parked rows stay).
Status prune_sent(Connection& db, Network network, std::int64_t before);
// Pending rows of `network` due at `now`, oldest event first.
Result<std::vector<PendingSend>> due(Connection& db, Network network, std::int64_t now, int limit);
// Like due(), but only the first pending row of each channel, so a channel is sent in order: a
// row waiting for its retry holds back the later rows of its channel (parked rows do not).
Result<std::vector<PendingSend>> due_heads(Connection& db, Network network, std::int64_t now, int limit);
// The first pending row of `channel_id` after `seq`, when it is due at `now`.
Result<std::optional<PendingSend>> next_due_in_channel(Connection& db, Network network, std::int64_t channel_id,
                                                       std::int64_t seq, std::int64_t now);
// When the earliest pending row of `network` is due; nullopt when none is pending.
Result<std::optional<std::int64_t>> next_due_at(Connection& db, Network network);
// The send succeeded: records the remote id. Sending the same id again changes nothing.
Status mark_sent(Connection& db, const std::string& id, const std::string& remote_id);

// The delay before retry number `attempts` (1 for the first retry): base * 2^(attempts-1), capped,
// then "equal jitter" (half fixed, half from `random`), so retries from many rows spread out.
std::int64_t backoff_seconds(int attempts, const RetryPolicy& policy, std::uint32_t random);

enum class FailureOutcome { retry_later, parked };
// The send failed with `error` (kept for the admin page). `retry_after_s`: the remote's own wait
// (HTTP 429 Retry-After or Matrix retry_after_ms), honoured as given. not_found for an unknown id.
Result<FailureOutcome> mark_failed(Connection& db, const std::string& id, const std::string& error, std::int64_t now,
                                   std::optional<std::int64_t> retry_after_s, const RetryPolicy& policy,
                                   std::uint32_t random);
// An admin's "retry" on a parked row: pending again, due now, attempts reset.
Status retry_parked(Connection& db, const std::string& id, std::int64_t now);
// The channel's rows parked on `network` with exactly `error` (a reason that has gone away, e.g.
// the bot back in the room): pending again, due at once, attempts reset; returns how many.
Result<int> retry_parked_with(Connection& db, Network network, std::int64_t channel_id, const std::string& error);

struct ParkedSend {
  std::string id;
  std::int64_t seq = 0;
  int attempts = 0;
  std::string last_error;
};
Result<std::vector<ParkedSend>> parked(Connection& db, Network network);

}  // namespace hub::bridge
