// What every session shares: configuration, the service, and the registry of live sessions.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

#include <boost/asio/ssl/context.hpp>

#include "hub/http/service.hpp"
#include "hub/net/key_counter.hpp"
#include "hub/net/outbound_budget.hpp"
#include "hub/net/server.hpp"
#include "hub/net/session.hpp"

namespace hub::net {

class shared_state {
 public:
  // `tls` is null for plain HTTP.
  shared_state(http::Service& service, ServerOptions options,
               std::unique_ptr<boost::asio::ssl::context> tls);

  http::Service& service() const { return service_; }
  const ServerOptions& options() const { return options_; }
  boost::asio::ssl::context* tls() const { return tls_.get(); }
  // Connections per client address (max_connections_per_ip), live WebSockets per user
  // (max_live_per_user), and every byte queued to send (max_outbound_bytes).
  key_counter& per_address() const { return *per_address_; }
  key_counter& live_per_user() const { return *live_per_user_; }
  outbound_budget& budget() const { return *budget_; }

  // Registers a session; returns its id (unique for the server's lifetime). A `counted` session
  // counts towards max_connections; refused ones do not.
  std::uint64_t join(std::weak_ptr<session> s, bool counted);
  // Points `id` at the session that took the connection over (HTTP -> WebSocket).
  void rebind(std::uint64_t id, std::weak_ptr<session> s);
  void leave(std::uint64_t id, bool counted);
  std::size_t counted_sessions() const;
  std::size_t all_sessions() const;

  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  // Asks every session to stop; calls `on_empty` (on whichever thread removes the last session,
  // or at once) when none is left. REQUIRES: called once.
  void stop_all(std::function<void()> on_empty);
  // Drops every remaining connection (the shutdown deadline passed).
  void close_all();

 private:
  std::vector<std::shared_ptr<session>> snapshot() const;

  http::Service& service_;                                // outlives every session (Server's REQUIRES)
  const ServerOptions options_;                           // immutable after construction
  const std::unique_ptr<boost::asio::ssl::context> tls_;  // immutable after construction
  const std::shared_ptr<key_counter> per_address_;        // thread-safe itself
  const std::shared_ptr<key_counter> live_per_user_;      // thread-safe itself
  const std::unique_ptr<outbound_budget> budget_;         // thread-safe itself
  std::atomic<bool> stopping_{false};                     // set once by stop_all
  mutable std::mutex mutex_;  // this mutex synchronises all access to the members below
  std::unordered_map<std::uint64_t, std::weak_ptr<session>> sessions_;
  std::size_t counted_ = 0;          // sessions that count towards max_connections
  std::uint64_t next_id_ = 1;
  std::function<void()> on_empty_;   // set by stop_all, called once
};

}  // namespace hub::net
