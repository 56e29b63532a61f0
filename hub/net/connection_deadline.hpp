// A connection's deadline, enforced by one timer that is rarely touched.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "hub/net/deadline_clock.hpp"

namespace hub::net {

// Beast's tcp_stream arms and cancels a timer for every read and write, and each change of the
// earliest timer is a timerfd syscall (docs/benchmarks.md has the cost). This keeps
// one timer per connection that only ever sleeps up to `recheck`; moving the deadline later is
// a plain store, and only moving it earlier than the timer's wake-up re-arms the timer. With
// `recheck` no longer than the per-request timeouts, that happens only when a connection closes.
class connection_deadline {
 public:
  using clock = deadline_clock;  // tests move it forward instead of sleeping

  // REQUIRES: `executor` is the connection's serial executor; every call below is made on it.
  connection_deadline(boost::asio::any_io_executor executor, clock::duration recheck);

  // Calls `on_expired` (on that executor) when a deadline passes, as long as `owner` lives.
  // REQUIRES: `owner` owns this object.
  void start(std::weak_ptr<void> owner, std::function<void()> on_expired);
  void expires_after(clock::duration d);
  void expires_never();

 private:
  void arm(clock::time_point at);
  void on_wake(const boost::system::error_code& ec);

  deadline_timer timer_;           // waits for min(deadline_, last wake + recheck_)
  const clock::duration recheck_;             // the longest the timer sleeps without looking
  clock::time_point deadline_ = clock::time_point::max();
  std::weak_ptr<void> owner_;                 // the session; the wait handler must not outlive it
  std::function<void()> on_expired_;          // set by start()
  bool waiting_ = false;                      // a wait is pending on timer_
};

}  // namespace hub::net
