#include "bridge/outbox.hpp"

#include <algorithm>

namespace hub::bridge {

using http::ApiError;

std::string outbox_id(Network network, std::int64_t seq) {
  return std::string(discussion::network_name(network)) + ":" + std::to_string(seq);
}

std::string txn_of(Network network, const discussion::Event& e) {
  std::string id = outbox_id(network, e.seq);
  if (!e.nonce.empty()) id += "." + e.nonce;
  return id;
}

Result<bool> enqueue(Connection& db, const OutboxEntry& e, std::int64_t now) {
  if (e.network == Network::hub) return ApiError::bad_request("The outbox sends to other networks only.");
  auto s = db.prepare(
      "INSERT INTO bridge_outbox (id, network, channel_id, seq, request, state, next_at, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?6) ON CONFLICT (id) DO NOTHING");
  const std::string id = outbox_id(e.network, e.seq);
  s.bind(1, std::string_view(id)).bind(2, discussion::network_name(e.network)).bind(3, e.channel_id);
  s.bind(4, e.seq).bind(5, std::string_view(e.request)).bind(6, now);
  if (auto r = s.run(); !r) return r.error();
  return db.changes() > 0;
}

Result<std::optional<int>> pending_attempts(Connection& db, const std::string& id) {
  auto s = db.prepare("SELECT attempts FROM bridge_outbox WHERE id = ?1 AND state = 'pending'");
  s.bind(1, std::string_view(id));
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<int>();
  return std::optional<int>(static_cast<int>(s.int64(0)));
}

Status prune_sent(Connection& db, Network network, std::int64_t before) {
  auto s = db.prepare("DELETE FROM bridge_outbox WHERE network = ?1 AND state = 'sent' AND created_at < ?2");
  s.bind(1, discussion::network_name(network)).bind(2, before);
  return s.run();
}

namespace {

// A row selected as (id, channel_id, seq, request, attempts, ...).
PendingSend pending_row(store::Statement& s) {
  return {s.text(0), s.int64(1), s.int64(2), s.text(3), static_cast<int>(s.int64(4))};
}

Result<std::vector<PendingSend>> pending_rows(store::Statement& s) {
  std::vector<PendingSend> out;
  auto rows = s.each_row([&] { out.push_back(pending_row(s)); });
  if (!rows) return rows.error();
  return out;
}

}  // namespace

Result<std::vector<PendingSend>> due(Connection& db, Network network, std::int64_t now, int limit) {
  auto s = db.prepare(
      "SELECT id, channel_id, seq, request, attempts FROM bridge_outbox WHERE network = ?1 AND state = 'pending' "
      "AND next_at <= ?2 ORDER BY seq LIMIT ?3");
  s.bind(1, discussion::network_name(network)).bind(2, now).bind(3, std::int64_t{limit});
  return pending_rows(s);
}

Result<std::vector<PendingSend>> due_heads(Connection& db, Network network, std::int64_t now, int limit) {
  auto s = db.prepare(
      "SELECT o.id, o.channel_id, o.seq, o.request, o.attempts FROM bridge_outbox o WHERE o.network = ?1 "
      "AND o.state = 'pending' AND o.next_at <= ?2 AND o.seq = (SELECT min(p.seq) FROM bridge_outbox p "
      "WHERE p.network = o.network AND p.channel_id = o.channel_id AND p.state = 'pending') ORDER BY o.seq LIMIT ?3");
  s.bind(1, discussion::network_name(network)).bind(2, now).bind(3, std::int64_t{limit});
  return pending_rows(s);
}

Result<std::optional<PendingSend>> next_due_in_channel(Connection& db, Network network, std::int64_t channel_id,
                                                       std::int64_t seq, std::int64_t now) {
  auto s = db.prepare(
      "SELECT id, channel_id, seq, request, attempts, next_at FROM bridge_outbox WHERE network = ?1 "
      "AND channel_id = ?2 AND state = 'pending' AND seq > ?3 ORDER BY seq LIMIT 1");
  s.bind(1, discussion::network_name(network)).bind(2, channel_id).bind(3, seq);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row || s.int64(5) > now) return std::optional<PendingSend>();
  return std::optional<PendingSend>(pending_row(s));
}

Result<std::optional<std::int64_t>> next_due_at(Connection& db, Network network) {
  auto s = db.prepare("SELECT min(next_at) FROM bridge_outbox WHERE network = ?1 AND state = 'pending'");
  s.bind(1, discussion::network_name(network));
  auto row = s.step();
  if (!row) return row.error();
  if (!*row || s.is_null(0)) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(s.int64(0));
}

Status mark_sent(Connection& db, const std::string& id, const std::string& remote_id) {
  auto s = db.prepare(
      "UPDATE bridge_outbox SET state = 'sent', remote_id = ?2, last_error = '' WHERE id = ?1 AND state != 'sent'");
  s.bind(1, std::string_view(id)).bind(2, std::string_view(remote_id));
  return s.run();
}

std::int64_t backoff_seconds(int attempts, const RetryPolicy& policy, std::uint32_t random) {
  std::int64_t delay = policy.base_s;
  for (int i = 1; i < attempts && delay < policy.cap_s; ++i) delay *= 2;
  delay = std::clamp<std::int64_t>(delay, 1, std::max<std::int64_t>(policy.cap_s, 1));
  const std::int64_t half = delay / 2;
  return delay - half + static_cast<std::int64_t>(random % static_cast<std::uint32_t>(half + 1));
}

Result<FailureOutcome> mark_failed(Connection& db, const std::string& id, const std::string& error, std::int64_t now,
                                   std::optional<std::int64_t> retry_after_s, const RetryPolicy& policy,
                                   std::uint32_t random) {
  auto find = db.prepare("SELECT attempts FROM bridge_outbox WHERE id = ?1 AND state = 'pending'");
  find.bind(1, std::string_view(id));
  auto row = find.step();
  if (!row) return row.error();
  if (!*row) return ApiError::not_found("No pending send with that id.");
  const int attempts = static_cast<int>(find.int64(0)) + 1;
  const bool park = attempts >= policy.max_attempts;
  const std::int64_t wait = retry_after_s ? std::max<std::int64_t>(*retry_after_s, 0)
                                          : backoff_seconds(attempts, policy, random);
  auto s = db.prepare(
      "UPDATE bridge_outbox SET attempts = ?2, last_error = ?3, next_at = ?4, state = ?5 WHERE id = ?1");
  s.bind(1, std::string_view(id)).bind(2, std::int64_t{attempts}).bind(3, std::string_view(error));
  s.bind(4, now + wait).bind(5, std::string_view(park ? "parked" : "pending"));
  if (auto r = s.run(); !r) return r.error();
  return park ? FailureOutcome::parked : FailureOutcome::retry_later;
}

// A parked row pending again starts its attempts over, but keeps one when it had more than the
// try that parked it: an earlier try may have reached the remote with its answer lost, and the
// relay marks a row with attempts as maybe sent (the connector looks before sending again).
constexpr std::string_view kKeepMaybeSent = "CASE WHEN attempts > 1 THEN 1 ELSE 0 END";

Status retry_parked(Connection& db, const std::string& id, std::int64_t now) {
  auto s = db.prepare(
      std::string("UPDATE bridge_outbox SET state = 'pending', attempts = ").append(kKeepMaybeSent) +
      ", next_at = ?2 WHERE id = ?1 AND state = 'parked'");
  s.bind(1, std::string_view(id)).bind(2, now);
  if (auto r = s.run(); !r) return r.error();
  if (db.changes() == 0) return ApiError::not_found("No parked send with that id.");
  return http::Ok{};
}

Result<int> retry_parked_with(Connection& db, Network network, std::int64_t channel_id, const std::string& error) {
  auto s = db.prepare(
      std::string("UPDATE bridge_outbox SET state = 'pending', attempts = ").append(kKeepMaybeSent) +
      ", next_at = 0 WHERE network = ?1 AND channel_id = ?2 AND state = 'parked' AND last_error = ?3");
  s.bind(1, discussion::network_name(network)).bind(2, channel_id).bind(3, std::string_view(error));
  if (auto r = s.run(); !r) return r.error();
  return static_cast<int>(db.changes());
}

Result<std::vector<ParkedSend>> parked(Connection& db, Network network) {
  auto s = db.prepare(
      "SELECT id, seq, attempts, last_error FROM bridge_outbox WHERE network = ?1 AND state = 'parked' ORDER BY seq");
  s.bind(1, discussion::network_name(network));
  std::vector<ParkedSend> out;
  auto rows = s.each_row([&] { out.push_back({s.text(0), s.int64(1), static_cast<int>(s.int64(2)), s.text(3)}); });
  if (!rows) return rows.error();
  return out;
}

}  // namespace hub::bridge
