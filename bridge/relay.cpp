#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "bridge/relay.hpp"

#include <algorithm>
#include <chrono>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "bridge/log.hpp"
#include "bridge/loop_guard.hpp"

namespace hub::bridge {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

// Short waits (under a second) waited out in memory for one message before its failures are
// recorded like any other.
constexpr int kMaxQuickRetries = 50;

// The kinds a remote room mirrors; message.replied only updates a thread root's reply count.
bool relayable(const discussion::Event& e) {
  if (e.kind == "message.reacted") return !e.delta.empty();
  return e.kind == "message.posted" || e.kind == "message.edited" || e.kind == "message.deleted";
}

std::optional<std::int64_t> id_field(const json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<std::int64_t>();
}

// What the send loop reads before a send: the event as the log now holds it (a deleted message's
// text is gone from every event about it), the mapping, and the remote ids the connector needs.
struct Prepared {
  std::optional<Outgoing> out;  // nullopt: nothing to send (reason says why)
  std::string reason;
  bool done_before = false;     // the row was no longer pending: another drain sent or parked it
};

}  // namespace

Result<std::map<std::string, int>> hub_reactions(Connection& c, const json& message, Network network) {
  std::map<std::string, int> counts;
  const json* reactions = message.contains("reactions") ? &message["reactions"] : nullptr;
  if (!reactions || !reactions->is_array()) return counts;
  auto ghost = c.prepare(
      "SELECT 1 FROM ghosts g JOIN users u ON u.id = g.user_id WHERE g.network = ?1 AND u.handle = ?2");
  for (const json& r : *reactions) {
    if (!r.is_object() || !r.contains("handles") || !r["handles"].is_array()) continue;
    const std::string emoji = r.value("emoji", std::string());
    for (const json& h : r["handles"]) {
      if (!h.is_string()) continue;
      ghost.bind(1, discussion::network_name(network)).bind(2, std::string_view(h.get_ref<const std::string&>()));
      auto row = ghost.step();
      if (!row) return row.error();
      if (!*row) ++counts[emoji];
    }
  }
  return counts;
}

namespace {
// The outbox rows these events make on `network`: each event of a mapped channel that should go there.
Result<std::vector<OutboxEntry>> outbox_entries(Connection& c, const std::vector<discussion::Event>& events,
                                                Network network) {
  std::vector<OutboxEntry> entries;
  for (const auto& e : events) {
    if (!relayable(e) || !should_relay(e, network)) continue;
    auto mapping = mapping_for_channel(c, e.channel_id, network);
    if (!mapping) return mapping.error();
    if (!*mapping) continue;
    const json request{{"kind", e.kind}, {"message_id", e.message_id}};
    entries.push_back({network, e.channel_id, e.seq, request.dump()});
  }
  return entries;
}
}  // namespace

Relay::Relay(store::Executor& db, discussion::BridgeSeam& seam, const Clock& clock, Connector& connector,
             RelayOptions options)
    : db_(db), seam_(seam), clock_(clock), connector_(connector), options_(options) {}

void Relay::start(asio::any_io_executor executor) {
  wake_ = std::make_unique<asio::steady_timer>(executor);
  flush_timer_ = std::make_unique<asio::steady_timer>(executor);
  executor_ = executor;
  asio::co_spawn(executor, queue_loop(), asio::detached);
  asio::co_spawn(executor, send_loop(), asio::detached);
}

void Relay::stop() {
  stopping_ = true;
  if (wake_) wake_->cancel();
  if (flush_timer_) flush_timer_->cancel();
}

void Relay::poke() {
  poked_ = true;
  if (wake_) wake_->cancel();
}

asio::awaitable<void> Relay::pause(std::chrono::milliseconds wait) {
  if (stopping_ || poked_) co_return;
  wake_->expires_after(wait);
  boost::system::error_code ec;
  co_await wake_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> Relay::queue_loop() {
  const Network network = connector_.network();
  auto read_cursor = [network](Connection& c) { return hub_cursor(c, network); };
  auto start = co_await db_.read(read_cursor);
  while (!start && !stopping_) {
    log_reason("warn", discussion::network_name(network), "cursor", start.error().message);
    co_await pause(std::chrono::seconds(1));
    start = co_await db_.read(read_cursor);
  }
  std::int64_t cursor = start ? *start : 0;
  while (!stopping_) {
    auto events = co_await seam_.next_events(cursor, {}, options_.batch);
    if (stopping_ || seam_.stopping()) break;
    if (!events) {
      log_reason("warn", discussion::network_name(network), "read", events.error().message);
      co_await pause(std::chrono::seconds(1));
      continue;
    }
    const std::int64_t now = clock_.now();
    const bool prune = !pruned_at_ || now - *pruned_at_ >= kOutboxPruneEveryS;
    if (prune) pruned_at_ = now;
    auto entries_job = [&, network](Connection& c) { return outbox_entries(c, *events, network); };
    if (!prune && cursor_written_ && std::chrono::steady_clock::now() - *cursor_written_ < options_.cursor_every) {
      auto entries = co_await db_.read(entries_job);
      if (entries && entries->empty()) {  // nothing for this network: no write, the cursor moves in memory
        cursor = unwritten_cursor_ = events->back().seq;
        if (!std::exchange(flush_armed_, true)) asio::co_spawn(executor_, flush_cursor(), asio::detached);
        continue;
      }
    }
    auto queue = [&, network](Connection& c) -> Result<int> {
      if (prune) {
        if (auto s = prune_sent(c, network, now - kSentOutboxKeptS); !s) return s.error();
      }
      auto entries = entries_job(c);  // again, in the write's own transaction
      if (!entries) return entries.error();
      int queued = 0;
      for (const auto& entry : *entries) {
        auto added = enqueue(c, entry, now);
        if (!added) return added.error();
        queued += *added ? 1 : 0;
      }
      if (auto s = set_hub_cursor(c, network, events->back().seq); !s) return s.error();
      return queued;
    };
    auto queued = co_await db_.write(queue);
    if (!queued) {
      log_reason("warn", discussion::network_name(network), "queue", queued.error().message);
      co_await pause(std::chrono::seconds(1));
      continue;
    }
    cursor = events->back().seq;
    cursor_written_ = std::chrono::steady_clock::now();
    unwritten_cursor_ = 0;  // this write's cursor is past it
    if (*queued > 0) poke();
  }
}

asio::awaitable<void> Relay::flush_cursor() {
  flush_timer_->expires_after(options_.cursor_every);
  boost::system::error_code ec;
  co_await flush_timer_->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  flush_armed_ = false;
  if (stopping_ || unwritten_cursor_ == 0) co_return;
  const std::int64_t seq = std::exchange(unwritten_cursor_, 0);
  auto write = [network = connector_.network(), seq](Connection& c) { return set_hub_cursor(c, network, seq); };
  if (auto s = co_await db_.write(write); !s)
    log_reason("warn", discussion::network_name(connector_.network()), "cursor", s.error().message);
  else
    cursor_written_ = std::chrono::steady_clock::now();
}

asio::awaitable<void> Relay::send_loop() {
  const Network network = connector_.network();
  while (!stopping_) {
    poked_ = false;
    const std::int64_t now = clock_.now();
    auto heads_job = [network, now](Connection& c) { return due_heads(c, network, now, 64); };
    auto heads = co_await db_.read(heads_job);
    if (heads) {
      for (const auto& head : *heads) {
        if (busy_channels_.insert(head.channel_id).second)
          asio::co_spawn(executor_, drain_channel(head), asio::detached);
      }
    } else {
      log_reason("warn", discussion::network_name(network), "outbox", heads.error().message);
    }
    if (stopping_) break;
    // Sleep until the next row is due (at most 30 s: a poke wakes us for new rows and retries).
    auto next_job = [network](Connection& c) { return next_due_at(c, network); };
    auto next = co_await db_.read(next_job);
    std::int64_t wait_s = 30;
    if (next && *next) wait_s = std::clamp<std::int64_t>(**next - clock_.now(), 0, 30);
    if (wait_s == 0 && busy_channels_.empty()) wait_s = 1;  // due but not taken: a store error; do not spin
    co_await pause(std::chrono::seconds(wait_s == 0 ? 1 : wait_s));
  }
}

asio::awaitable<void> Relay::drain_channel(PendingSend row) {
  const Network network = connector_.network();
  const std::int64_t channel = row.channel_id;
  std::optional<PendingSend> current = std::move(row);
  int quick_retries = 0;  // in a row, for this message
  while (current && !stopping_) {
    const Step step = co_await send_one(*current, quick_retries < kMaxQuickRetries);
    if (step.again) {
      ++quick_retries;
      asio::steady_timer wait(executor_, *step.again);
      boost::system::error_code ec;
      co_await wait.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    quick_retries = 0;
    if (!step.done) break;  // failed: its retry holds the channel back
    const std::int64_t now = clock_.now();
    const std::int64_t seq = current->seq;
    auto next_job = [network, channel, seq, now](Connection& c) { return next_due_in_channel(c, network, channel, seq, now); };
    auto next = co_await db_.read(next_job);
    if (!next) break;
    current = std::move(*next);
  }
  busy_channels_.erase(channel);
  poke();  // the loop may have rows of this channel that became due meanwhile
}

asio::awaitable<Relay::Step> Relay::send_one(const PendingSend& row, bool quick_retry) {
  const Network network = connector_.network();
  const bool first_in_channel = !sent_channels_.contains(row.channel_id);
  bool maybe_sent = false;
  int attempts_before = row.attempts;  // as the prepare job reads them
  auto prepare = [network, row, first_in_channel, &maybe_sent, &attempts_before](Connection& c) -> Result<Prepared> {
    // The row as it is now. The send loop's list of due rows may have been read before another
    // drain of this channel sent the row (or failed it once): sending from that list would post
    // it again, without the look-up a retry makes.
    auto attempts = pending_attempts(c, row.id);
    if (!attempts) return attempts.error();
    if (!*attempts) return Prepared{std::nullopt, "sent or parked meanwhile", true};
    attempts_before = **attempts;
    // An earlier try of this change may have reached the remote with its answer lost (see
    // Outgoing::maybe_sent).
    maybe_sent = **attempts > 0 || first_in_channel;
    auto events = discussion::read_events(c, {row.channel_id}, row.seq - 1, row.seq, 1);
    if (!events) return events.error();
    if (events->empty() || events->front().seq != row.seq) return Prepared{std::nullopt, "the event is gone"};
    auto mapping = mapping_for_channel(c, row.channel_id, network);
    if (!mapping) return mapping.error();
    if (!*mapping) return Prepared{std::nullopt, "the channel is no longer mapped"};
    Outgoing out;
    out.event = std::move(events->front());
    out.txn_id = txn_of(network, out.event);
    out.attempt = **attempts + 1;
    out.mapping = std::move(**mapping);
    auto self = remote_for(c, out.event.message_id, network);
    if (!self) return self.error();
    out.self = std::move(*self);
    const json payload = json::parse(out.event.payload, nullptr, false);
    if (payload.is_discarded()) return Prepared{std::nullopt, "the event's payload is not JSON"};
    const bool deleted = payload.value("deleted", false);
    if (out.event.kind == "message.posted") {
      if (out.self) return Prepared{std::nullopt, "the message was sent before"};
      // Deleted before it was sent: unless a lost answer hides an earlier send, which the remote
      // must find so that the delete reaches it.
      if (deleted && !maybe_sent) return Prepared{std::nullopt, "the message was deleted before it was sent"};
      out.lookup_only = deleted;
    } else if (!out.self) {
      return Prepared{std::nullopt, "the remote room never had the message"};
    } else if (deleted && out.event.kind != "message.deleted") {
      return Prepared{std::nullopt, "the message was deleted since"};
    }
    if (out.event.kind == "message.reacted") {
      auto reactions = hub_reactions(c, payload, network);
      if (!reactions) return reactions.error();
      out.hub_reactions = std::move(*reactions);
    }
    for (auto [field, target] : {std::pair{"reply_to", &out.reply_to}, std::pair{"thread_root", &out.thread_root}}) {
      if (auto id = id_field(payload, field)) {
        auto ref = remote_for(c, *id, network);
        if (!ref) return ref.error();
        *target = std::move(*ref);
      }
    }
    return Prepared{std::move(out), ""};
  };
  auto prepared = co_await db_.read(prepare);
  if (!prepared) {
    log_reason("warn", discussion::network_name(network), "prepare", prepared.error().message, {{"seq", row.seq}});
    co_return Step{};
  }
  if (prepared->done_before) co_return Step{true, std::nullopt};

  SendOutcome outcome;
  std::optional<std::int64_t> mapping_id;
  std::int64_t message_id = 0;
  std::string kind;
  std::string room;
  if (!prepared->out) {
    outcome.kind = SendOutcome::Kind::skipped;
    log_reason("info", discussion::network_name(network), "skipped", prepared->reason, {{"seq", row.seq}});
  } else {
    mapping_id = prepared->out->mapping.id;
    message_id = prepared->out->event.message_id;
    kind = prepared->out->event.kind;
    room = prepared->out->mapping.remote_room;
    prepared->out->maybe_sent = maybe_sent;
    sent_channels_.insert(row.channel_id);
    outcome = co_await connector_.send(std::move(*prepared->out));
  }
  if (quick_retry && outcome.kind == SendOutcome::Kind::retry && outcome.retry_after_ms &&
      *outcome.retry_after_ms >= 0 && *outcome.retry_after_ms < 1000) {
    ++failures_;
    co_return Step{false, std::chrono::milliseconds(*outcome.retry_after_ms)};
  }

  const std::int64_t now = clock_.now();
  const std::uint32_t random = random_();
  const RetryPolicy policy = outcome.kind == SendOutcome::Kind::failed ? RetryPolicy{1, 1, 1} : options_.retry;
  auto record = [&, network](Connection& c) -> Result<bool> {
    switch (outcome.kind) {
      case SendOutcome::Kind::sent:
      case SendOutcome::Kind::skipped: {
        if (auto s = mark_sent(c, row.id, outcome.remote_id); !s) return s.error();
        if (outcome.kind == SendOutcome::Kind::skipped || !mapping_id) return true;
        if (kind == "message.posted" && !outcome.remote_id.empty()) {
          if (auto s = map_ids(c, message_id, network, {room, outcome.remote_id}); !s) return s.error();
        }
        if (auto s = note_traffic(c, *mapping_id, Direction::out, now); !s) return s.error();
        return true;
      }
      case SendOutcome::Kind::retry:
      case SendOutcome::Kind::failed: {
        if (!outcome.unless_cleared.empty()) {  // in the same transaction as the park, so never after a clear
          auto reason = remote_cursor(c, network, outcome.unless_cleared);
          if (!reason) return reason.error();
          if (*reason != outcome.error) return false;  // gone meanwhile: still pending, due now
        }
        auto r = mark_failed(c, row.id, outcome.error, now, outcome.retry_after_s, policy, random);
        if (!r) return r.error();
        if (*r == FailureOutcome::parked && mapping_id) {
          if (auto s = set_status(c, *mapping_id, outcome.error); !s) return s.error();
        }
        return false;
      }
    }
    return false;
  };
  auto recorded = co_await db_.write(record);
  if (!recorded) {
    log_reason("error", discussion::network_name(network), "record", recorded.error().message, {{"seq", row.seq}});
    co_return Step{};
  }
  if (outcome.kind == SendOutcome::Kind::sent) ++sent_;
  if (!*recorded) {
    ++failures_;
    log_reason("warn", discussion::network_name(network), "send failed", outcome.error,
               {{"seq", row.seq}, {"attempt", attempts_before + 1}});
  }
  co_return Step{*recorded, std::nullopt};
}

}  // namespace hub::bridge
