// The fan-out of the event stream to live WebSocket subscribers.
//
// A writer hands the events it committed to publish(), which sends each, as ONE immutable frame,
// to the live subscribers of its channel (indexed by channel), in seq order, without reading the
// table back. Events that arrive out of order wait for the ones before them; a gap that publish()
// cannot fill (an event appended without it) is read from the table by the tail reader, which
// notify() starts. A new subscriber first catches up from its own `since` by reading the table,
// and goes live only once the tail has not passed what it read, so it gets every event after
// `since` exactly once and in order. In-process readers (the bridge) wait_beyond() a seq.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "hub/discussion/event_log.hpp"

#include "hub/http/latency_histogram.hpp"
#include "hub/http/service.hpp"
#include "hub/store/executor.hpp"

namespace hub::discussion {

// A reconnect further behind than this gets {"type":"resync"} instead of the backlog: the backlog
// would overflow its outbound queue (1,024 frames) and the client reloads pages over HTTP anyway.
inline constexpr int kCatchUpMax = 800;

// Sends {"type":"error","code":...,"message":...} and closes the peer with 1008 (policy violation).
void refuse(http::WebSocketPeer& peer, const std::string& code, const std::string& message);

// Where a change's time goes between its request and the wire, by stage (/metrics;
// tests/bench/discussion_fanout.mjs reads them). The store's stages are in ExecutorTimings.
struct ChangeTimings {
  http::LatencyHistogram render;        // a post's request parsed -> its Markdown rendered (CPU pool)
  http::LatencyHistogram write;         // the write submitted -> its handler resumed after COMMIT
  http::LatencyHistogram fanout_queue;  // a write's events published -> their frames queued to every subscriber
  // An event's frame made -> the last subscriber done with it (written, or dropped on a close).
  // Shared: a frame may outlive the stream in a closing peer's queue.
  std::shared_ptr<http::LatencyHistogram> frames_written = std::make_shared<http::LatencyHistogram>();
};

class LiveStream {
 public:
  explicit LiveStream(store::Executor& db);

  // Where the tail reader and catch-ups run, and the current head of the stream.
  // REQUIRES: called once, before any subscriber or notify(); blocks on one DB read.
  void attach(boost::asio::any_io_executor executor);
  bool attached() const { return attached_; }
  // REQUIRES: attached().
  const boost::asio::any_io_executor& executor() const { return executor_; }

  // A change committed: deliver what follows the tail, reading it from the table. Any thread; cheap.
  void notify();
  // These events (ascending seq, one write's) committed: deliver them as they are. Any thread;
  // the delivery runs on the executor.
  void publish(std::vector<Event> events);
  // Completes once the tail passes `seq` (true), or at stop() (false). On the executor.
  boost::asio::awaitable<bool> wait_beyond(std::int64_t seq);
  // Wakes every waiter with false, now and from now on (shutdown).
  void stop();
  bool stopped() const;

  // Starts a subscription: catch up from `since` (or from now when nullopt), then live.
  // REQUIRES: the caller checked the user may read every channel.
  void subscribe(const std::shared_ptr<http::WebSocketPeer>& peer, std::vector<std::int64_t> channels,
                 std::optional<std::int64_t> since);
  // The peer went away.
  void remove(std::uint64_t peer_id);
  // Drops the peer's channels that are not in `readable` (sorted); returns the dropped ones.
  std::vector<std::int64_t> keep_only(std::uint64_t peer_id, const std::vector<std::int64_t>& readable);

  std::size_t subscriber_count() const;
  std::int64_t tail() const;
  ChangeTimings& timings() { return timings_; }

 private:
  struct Subscriber {
    std::shared_ptr<http::WebSocketPeer> peer;
    std::set<std::int64_t> channels;
    std::int64_t delivered = 0;  // the last seq sent
    bool live = false;           // caught up: the tail reader delivers to it
  };
  using Frame = std::shared_ptr<const std::string>;
  using Waiter = std::shared_ptr<boost::asio::steady_timer>;

  boost::asio::awaitable<void> follow_tail();
  // Sends `events` (ascending) past the tail to their channels' live subscribers and moves the
  // tail; returns whether a gap remains before a pending event. On the executor.
  // `complete_upto`: the table read that produced `events` saw every seq up to it (0: a publish).
  bool deliver(std::vector<Event>& events, std::int64_t complete_upto);
  void unindex(const Subscriber& sub, std::int64_t channel);
  boost::asio::awaitable<void> catch_up(std::shared_ptr<Subscriber> sub, std::optional<std::int64_t> since);

  store::Executor& db_;
  ChangeTimings timings_;
  boost::asio::any_io_executor executor_;  // set once by attach()
  bool attached_ = false;

  mutable std::mutex mutex_;  // guards every member below
  std::unordered_map<std::uint64_t, std::shared_ptr<Subscriber>> subscribers_;  // by peer id
  // The same subscribers by channel (a channel's live and catching-up ones).
  std::unordered_map<std::int64_t, std::vector<std::shared_ptr<Subscriber>>> by_channel_;
  std::map<std::int64_t, Event> pending_;  // published past a gap, by seq, until the gap fills
  std::vector<Waiter> waiters_;            // wait_beyond() callers, woken when the tail moves
  bool stopped_ = false;                   // stop() ran
  std::int64_t tail_ = 0;       // the last seq dispatched
  bool following_ = false;      // follow_tail() is running
  bool again_ = false;          // notify() came while it ran
};

}  // namespace hub::discussion
