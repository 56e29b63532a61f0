#include "hub/net/shared_state.hpp"

#include <utility>

namespace hub::net {

shared_state::shared_state(http::Service& service, ServerOptions options,
                           std::unique_ptr<boost::asio::ssl::context> tls)
    : service_(service),
      options_(std::move(options)),
      tls_(std::move(tls)),
      per_address_(std::make_shared<key_counter>(options_.max_connections_per_ip)),
      live_per_user_(std::make_shared<key_counter>(options_.max_live_per_user)),
      budget_(std::make_unique<outbound_budget>(options_.max_outbound_bytes)) {}

std::uint64_t shared_state::join(std::weak_ptr<session> s, bool counted) {
  std::lock_guard lock(mutex_);
  const auto id = next_id_++;
  sessions_.emplace(id, std::move(s));
  if (counted) ++counted_;
  return id;
}

void shared_state::rebind(std::uint64_t id, std::weak_ptr<session> s) {
  std::lock_guard lock(mutex_);
  if (auto it = sessions_.find(id); it != sessions_.end()) it->second = std::move(s);
}

void shared_state::leave(std::uint64_t id, bool counted) {
  std::function<void()> on_empty;
  {
    std::lock_guard lock(mutex_);
    if (sessions_.erase(id) == 0) return;
    if (counted) --counted_;
    if (sessions_.empty() && on_empty_) on_empty = std::exchange(on_empty_, nullptr);
  }
  if (on_empty) on_empty();
}

std::size_t shared_state::counted_sessions() const {
  std::lock_guard lock(mutex_);
  return counted_;
}

std::size_t shared_state::all_sessions() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::vector<std::shared_ptr<session>> shared_state::snapshot() const {
  std::vector<std::shared_ptr<session>> out;
  std::lock_guard lock(mutex_);
  out.reserve(sessions_.size());
  for (auto& [id, weak] : sessions_)
    if (auto s = weak.lock()) out.push_back(std::move(s));
  return out;
}

void shared_state::stop_all(std::function<void()> on_empty) {
  stopping_.store(true, std::memory_order_release);
  {
    std::lock_guard lock(mutex_);
    if (!sessions_.empty()) {
      on_empty_ = std::move(on_empty);
      on_empty = nullptr;
    }
  }
  if (on_empty) return on_empty();
  // Outside the lock: stop() only posts, but a session may leave meanwhile.
  for (auto& s : snapshot()) s->stop();
}

void shared_state::close_all() {
  for (auto& s : snapshot()) s->force_close();
}

}  // namespace hub::net
