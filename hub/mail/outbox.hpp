// The durable mail outbox (migration 8). A message is queued in the caller's write transaction,
// so it exists exactly when what caused it does. The sender claims one at a time: it marks the
// message in flight and commits before talking SMTP, and records the outcome afterwards. Once
// sent, the body is dropped: the log keeps who, what kind, when, never the content.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "hub/mail/message.hpp"
#include "hub/store/connection.hpp"
#include "hub/store/migrations.hpp"

namespace hub::mail {

using store::Connection;

store::Migration mail_migration(int version);

// Queues `message`, due at once. Call it inside the write job that makes the change the mail
// tells of.
Status enqueue(Connection& db, const Prepared& message, std::int64_t now_ms);

struct Claimed {
  std::int64_t id = 0;
  std::string recipient;
  std::string message_id;
  std::string mime;
  std::int64_t attempts = 0;  // including this one
};

// Marks the oldest due queued message in flight and returns it; nullopt when none is due.
Result<std::optional<Claimed>> claim_due(Connection& db, std::int64_t now_ms);
// The message went out: drop its body, keep the log line.
Status record_sent(Connection& db, std::int64_t id, std::int64_t now_ms);

struct RetryPolicy {
  std::int64_t base_ms = 60000;      // the first retry waits this long; each further one twice as long
  std::int64_t cap_ms = 3600000;     // but never longer than this
  std::int64_t max_attempts = 8;     // then the message is parked
};
// The delivery failed: queue it again after the backoff, or park it after the last attempt.
Status record_failure(Connection& db, std::int64_t id, const std::string& error, const RetryPolicy& policy,
                      std::int64_t now_ms);

// At start-up: a message still in flight may or may not have reached the server before the hub
// stopped. It is parked, never resent on its own, so nothing is sent twice; an admin may retry it.
Result<int> park_interrupted(Connection& db, std::int64_t now_ms);
// An admin's retry of a parked message: queued again, due at once, attempts counted afresh.
Status retry_parked(Connection& db, std::int64_t id, std::int64_t now_ms);

// {queued, sending, sent, parked: [{id, kind, recipient, message_id, attempts, last_error, created_at}]}
Result<nlohmann::json> outbox_summary(Connection& db);
// The earliest time a queued message is due, if any.
Result<std::optional<std::int64_t>> next_due_ms(Connection& db);

}  // namespace hub::mail
