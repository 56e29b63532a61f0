// /api/live: the WebSocket endpoint. Admits same-origin, authenticated upgrades; reads subscribe
// requests, checks them against what the user may read, and hands them to the LiveStream.
// Access that ends ends here too: a forgotten credential closes its connections, an ended
// membership drops the channels it gave, and credentials are re-checked while connections last
// (so an expired session's connections close).
//
// Client → server: {"subscribe":[channel ids], "since": seq?} (once per connection), {"type":"ping"}.
// Server → client: {"type":"subscribed","channels":[...],"head":seq}, {"type":"event",seq,...},
// {"type":"resync","head":seq}, {"type":"pong"}, {"type":"unsubscribed","channels":[...]} when
// channels become unreadable, and {"type":"error",code,message} before a close with 1008. A peer
// too slow for its bounded queue is closed by hub/net with 1008 "too slow: resync".
#pragma once

#include <chrono>
#include <string>

#include "hub/auth/access_events.hpp"
#include "hub/cohorts/cohort_store.hpp"
#include "hub/discussion/live_stream.hpp"
#include "hub/http/router.hpp"
#include "hub/http/service.hpp"

namespace hub::discussion {

// How often open connections' credentials are authenticated again.
inline constexpr std::chrono::seconds kRecheckInterval{30};

class LiveEndpoint final : public http::WebSocketHandler, public auth::AccessWatcher {
 public:
  LiveEndpoint(store::Executor& db, http::Authenticator& auth, LiveStream& stream, std::string public_origin);

  boost::asio::awaitable<std::optional<http::Response>> admit(http::Request& upgrade) override;
  void on_open(const std::shared_ptr<http::WebSocketPeer>& peer, const http::Request& upgrade) override;
  void on_message(const std::shared_ptr<http::WebSocketPeer>& peer, std::string text) override;
  void on_close(const std::shared_ptr<http::WebSocketPeer>& peer) override;

  // Closes the connections opened with this credential (logout, revocation). Any thread.
  void credential_ended(auth::CredentialKind kind, const std::string& key) override;
  // Drops, on the user's connections, the channels they may no longer read. Any thread.
  void membership_ended(std::int64_t user_id, std::int64_t cohort_id) override;
  // Authenticates every connection's credential again; closes those refused (expired sessions).
  boost::asio::awaitable<void> recheck_credentials();

 private:
  struct Connection {
    std::weak_ptr<http::WebSocketPeer> peer;
    http::Principal who;
    http::Request credential;  // the upgrade's Cookie and Authorization, to authenticate again
    bool subscribed = false;
  };
  boost::asio::awaitable<void> check_and_subscribe(std::shared_ptr<http::WebSocketPeer> peer, http::Principal who,
                                                   std::vector<std::int64_t> channels,
                                                   std::optional<std::int64_t> since);
  boost::asio::awaitable<void> drop_unreadable(std::shared_ptr<http::WebSocketPeer> peer, http::Principal who);
  // Runs recheck_credentials() every kRecheckInterval while any connection is open.
  boost::asio::awaitable<void> recheck_while_open();

  store::Executor& db_;
  http::Authenticator& auth_;
  LiveStream& stream_;
  const std::string public_origin_;
  std::mutex mutex_;                                                // guards connections_ and rechecking_
  std::unordered_map<std::uint64_t, Connection> connections_;      // by peer id, from open to close
  bool rechecking_ = false;                                         // recheck_while_open() is running
};

}  // namespace hub::discussion
