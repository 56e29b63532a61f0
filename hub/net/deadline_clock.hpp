// The clock connection deadlines run on: the steady clock, which tests may move forward.
#pragma once

#include <algorithm>
#include <chrono>

#include <boost/asio/basic_waitable_timer.hpp>

namespace hub::net {

// steady_clock plus an offset that only tests change, so a timeout test moves time instead of
// sleeping through it.
struct deadline_clock {
  using duration = std::chrono::steady_clock::duration;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<deadline_clock>;
  static constexpr bool is_steady = true;

  static time_point now() noexcept;
  // Tests only: moves now() forward by `d`, for every deadline in the process.
  static void advance(duration d);
  // advance() has been called.
  static bool advanced() noexcept;
};

// Once a test has moved the clock, a pending timer re-reads it every millisecond, so the move is
// noticed at once; until then timers sleep exactly as long as asked.
struct deadline_wait_traits {
  static deadline_clock::duration to_wait_duration(const deadline_clock::duration& d) {
    return deadline_clock::advanced() ? std::min<deadline_clock::duration>(d, std::chrono::milliseconds(1)) : d;
  }
  static deadline_clock::duration to_wait_duration(const deadline_clock::time_point& t) {
    return to_wait_duration(t - deadline_clock::now());
  }
};

using deadline_timer = boost::asio::basic_waitable_timer<deadline_clock, deadline_wait_traits>;

}  // namespace hub::net
