#include "hub/net/connection_deadline.hpp"

#include <algorithm>
#include <utility>

namespace hub::net {

connection_deadline::connection_deadline(boost::asio::any_io_executor executor, clock::duration recheck)
    : timer_(std::move(executor)), recheck_(std::max(recheck, clock::duration(std::chrono::milliseconds(100)))) {}

void connection_deadline::start(std::weak_ptr<void> owner, std::function<void()> on_expired) {
  owner_ = std::move(owner);
  on_expired_ = std::move(on_expired);
}

void connection_deadline::expires_after(clock::duration d) {
  const auto now = clock::now();
  deadline_ = now + d;
  if (!waiting_ || deadline_ < timer_.expiry()) arm(std::min(deadline_, now + recheck_));
}

void connection_deadline::expires_never() { deadline_ = clock::time_point::max(); }

void connection_deadline::arm(clock::time_point at) {
  timer_.expires_at(at);  // cancels a pending wait, whose handler then sees operation_aborted
  waiting_ = true;
  timer_.async_wait([this, owner = owner_](const boost::system::error_code& ec) {
    if (auto alive = owner.lock()) on_wake(ec);
  });
}

void connection_deadline::on_wake(const boost::system::error_code& ec) {
  if (ec) return;  // re-armed or cancelled; a newer wait is (or is not) pending
  waiting_ = false;
  const auto now = clock::now();
  if (now >= deadline_) {
    deadline_ = clock::time_point::max();
    if (on_expired_) on_expired_();
    return;
  }
  if (deadline_ != clock::time_point::max()) arm(std::min(deadline_, now + recheck_));
}

}  // namespace hub::net
