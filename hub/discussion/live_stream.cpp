#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "hub/discussion/live_stream.hpp"

#include <algorithm>
#include <cstdio>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "hub/discussion/event_log.hpp"

namespace hub::discussion {

namespace {
constexpr int kBatch = 500;
constexpr std::uint16_t kPolicyViolation = 1008;

std::shared_ptr<const std::string> frame_of(const nlohmann::json& j) {
  return std::make_shared<const std::string>(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// A live event's frame that times, when the last peer lets go of it, how long the fan-out took.
std::shared_ptr<const std::string> timed_frame(std::string text, const std::shared_ptr<http::LatencyHistogram>& timing) {
  return std::shared_ptr<const std::string>(
      new std::string(std::move(text)), [timing, made = std::chrono::steady_clock::now()](const std::string* f) {
        timing->observe_since(made);
        delete f;
      });
}
}  // namespace

void refuse(http::WebSocketPeer& peer, const std::string& code, const std::string& message) {
  peer.send(frame_of({{"type", "error"}, {"code", code}, {"message", message}}));
  peer.close(kPolicyViolation, code);
}

LiveStream::LiveStream(store::Executor& db) : db_(db) {}

void LiveStream::attach(boost::asio::any_io_executor executor) {
  auto head = db_.read_now([](store::Connection& c) { return head_seq(c); });
  if (!head) throw std::runtime_error("cannot read the event stream head: " + head.error().message);
  std::lock_guard lock(mutex_);
  executor_ = std::move(executor);
  tail_ = *head;
  attached_ = true;
}

std::size_t LiveStream::subscriber_count() const {
  std::lock_guard lock(mutex_);
  return subscribers_.size();
}

std::int64_t LiveStream::tail() const {
  std::lock_guard lock(mutex_);
  return tail_;
}

void LiveStream::notify() {
  if (!attached_) return;  // no live side (unit tests of the routes alone)
  {
    std::lock_guard lock(mutex_);
    again_ = true;
    if (following_) return;
    following_ = true;
  }
  boost::asio::co_spawn(executor_, follow_tail(), boost::asio::detached);
}

void LiveStream::publish(std::vector<Event> events) {
  if (!attached_ || events.empty()) return;  // no live side (unit tests of the routes alone)
  boost::asio::dispatch(executor_, [this, events = std::move(events), published = std::chrono::steady_clock::now()]() mutable {
    const bool gap = deliver(events, 0);
    timings_.fanout_queue.observe_since(published);
    if (gap) notify();  // the table has what publish() lacks
  });
}

bool LiveStream::deliver(std::vector<Event>& events, std::int64_t complete_upto) {
  std::vector<std::pair<Frame, std::vector<std::shared_ptr<http::WebSocketPeer>>>> sends;
  std::vector<Waiter> woken;
  bool gap = false;
  {
    std::lock_guard lock(mutex_);
    const std::int64_t before = tail_;
    for (auto& e : events)
      if (e.seq > tail_) pending_.emplace(e.seq, std::move(e));
    while (!pending_.empty()) {
      auto first = pending_.begin();
      // Seqs are dense, except where the table itself (complete up to complete_upto) has none.
      if (first->first != tail_ + 1 && first->first > complete_upto) break;
      Event e = std::move(first->second);
      pending_.erase(first);
      tail_ = e.seq;
      auto& [frame, targets] = sends.emplace_back();
      frame = timed_frame(event_frame(e), timings_.frames_written);
      auto subs = by_channel_.find(e.channel_id);
      if (subs == by_channel_.end()) continue;
      for (auto& sub : subs->second) {
        if (!sub->live || sub->delivered >= e.seq) continue;
        sub->delivered = e.seq;
        targets.push_back(sub->peer);
      }
    }
    tail_ = std::max(tail_, complete_upto);
    gap = !pending_.empty();
    if (tail_ != before) woken.swap(waiters_);
  }
  // Outside the lock: a full queue makes send() close the peer, which calls back into remove().
  for (auto& [frame, targets] : sends)
    for (auto& peer : targets) peer->send(frame);
  for (auto& w : woken) w->cancel();
  return gap;
}

boost::asio::awaitable<bool> LiveStream::wait_beyond(std::int64_t seq) {
  for (;;) {
    auto timer = std::make_shared<boost::asio::steady_timer>(executor_, boost::asio::steady_timer::time_point::max());
    {
      std::lock_guard lock(mutex_);
      if (stopped_) co_return false;
      if (tail_ > seq) co_return true;
      waiters_.push_back(timer);
    }
    boost::system::error_code ec;
    co_await timer->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
}

void LiveStream::stop() {
  std::vector<Waiter> woken;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    woken.swap(waiters_);
  }
  for (auto& w : woken) w->cancel();
}

bool LiveStream::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

boost::asio::awaitable<void> LiveStream::follow_tail() {
  for (;;) {
    std::int64_t from = 0;
    {
      std::lock_guard lock(mutex_);
      if (!again_) {
        following_ = false;
        co_return;
      }
      again_ = false;
      from = tail_;
    }
    auto read_job = [from](store::Connection& c) { return read_events(c, {}, from, INT64_MAX, kBatch); };
    auto events = co_await db_.read(read_job);
    if (!events) {
      // The events stay in the table: the next notify() or catch-up picks them up.
      std::fprintf(stderr, "{\"level\":\"warn\",\"what\":\"live tail read failed\"}\n");
      std::lock_guard lock(mutex_);
      following_ = false;
      co_return;
    }
    if (events->size() == static_cast<std::size_t>(kBatch)) {
      std::lock_guard lock(mutex_);
      again_ = true;
    }
    // Every event committed after `from`, up to the last one read, is in `events`.
    const std::int64_t complete_upto = events->empty() ? 0 : events->back().seq;
    deliver(*events, complete_upto);
  }
}

void LiveStream::subscribe(const std::shared_ptr<http::WebSocketPeer>& peer, std::vector<std::int64_t> channels,
                           std::optional<std::int64_t> since) {
  auto sub = std::make_shared<Subscriber>();
  sub->peer = peer;
  sub->channels.insert(channels.begin(), channels.end());
  {
    std::lock_guard lock(mutex_);
    if (auto old = subscribers_.find(peer->id()); old != subscribers_.end())
      for (auto c : old->second->channels) unindex(*old->second, c);
    subscribers_[peer->id()] = sub;
    for (auto c : sub->channels) by_channel_[c].push_back(sub);
  }
  boost::asio::co_spawn(executor_, catch_up(std::move(sub), since), boost::asio::detached);
}

void LiveStream::unindex(const Subscriber& sub, std::int64_t channel) {
  auto it = by_channel_.find(channel);
  if (it == by_channel_.end()) return;
  std::erase_if(it->second, [&](const std::shared_ptr<Subscriber>& s) { return s.get() == &sub; });
  if (it->second.empty()) by_channel_.erase(it);
}

void LiveStream::remove(std::uint64_t peer_id) {
  std::lock_guard lock(mutex_);
  auto it = subscribers_.find(peer_id);
  if (it == subscribers_.end()) return;
  for (auto c : it->second->channels) unindex(*it->second, c);
  subscribers_.erase(it);
}

std::vector<std::int64_t> LiveStream::keep_only(std::uint64_t peer_id, const std::vector<std::int64_t>& readable) {
  std::vector<std::int64_t> dropped;
  std::lock_guard lock(mutex_);
  auto it = subscribers_.find(peer_id);
  if (it == subscribers_.end()) return dropped;
  auto& channels = it->second->channels;
  for (auto c = channels.begin(); c != channels.end();) {
    if (std::binary_search(readable.begin(), readable.end(), *c)) {
      ++c;
    } else {
      dropped.push_back(*c);
      unindex(*it->second, *c);
      c = channels.erase(c);
    }
  }
  return dropped;
}

boost::asio::awaitable<void> LiveStream::catch_up(std::shared_ptr<Subscriber> sub, std::optional<std::int64_t> since) {
  std::vector<std::int64_t> channels(sub->channels.begin(), sub->channels.end());
  std::int64_t from = 0;
  if (since) {
    from = *since;
  } else {
    std::lock_guard lock(mutex_);
    from = tail_;
  }
  bool first = true;
  for (;;) {
    struct Backlog {
      std::int64_t head = 0;
      std::vector<Event> events;
    };
    // The head first, then the events up to it: everything at or below the head is committed.
    auto backlog_job = [from, &channels](store::Connection& c) -> http::Result<Backlog> {
      auto head = head_seq(c);
      if (!head) return head.error();
      auto events = read_events(c, channels, from, *head, kCatchUpMax + 1);
      if (!events) return events.error();
      return Backlog{*head, std::move(*events)};
    };
    auto backlog = co_await db_.read(backlog_job);
    if (!backlog) {
      refuse(*sub->peer, "unavailable", "The event stream could not be read; reconnect with your last seq.");
      co_return;
    }
    if (first && from > backlog->head) {
      refuse(*sub->peer, "invalid_field",
             "since is ahead of the stream (its head is " + std::to_string(backlog->head) + ").");
      remove(sub->peer->id());
      co_return;
    }
    if (first) {
      sub->peer->send(frame_of({{"type", "subscribed"}, {"channels", channels}, {"head", backlog->head}}));
      first = false;
    }
    std::int64_t scanned = backlog->head;
    if (backlog->events.size() > static_cast<std::size_t>(kCatchUpMax)) {
      // Too far behind for the queue: the client reloads over HTTP and continues from the head.
      sub->peer->send(frame_of({{"type", "resync"}, {"head", backlog->head}}));
    } else {
      for (const auto& e : backlog->events) {
        {
          std::lock_guard lock(mutex_);  // a membership may have ended since the backlog was read
          if (!sub->channels.count(e.channel_id)) continue;
        }
        sub->peer->send(std::make_shared<const std::string>(event_frame(e)));
      }
    }
    {
      std::lock_guard lock(mutex_);
      if (!subscribers_.count(sub->peer->id())) co_return;  // closed meanwhile
      sub->delivered = scanned;
      if (tail_ <= scanned) {
        sub->live = true;  // everything after `scanned` comes from the tail reader
        co_return;
      }
    }
    from = scanned;  // the tail moved past what we read: read the difference
  }
}

}  // namespace hub::discussion
