// /api/live: the WebSocket endpoint. Admits same-origin, authenticated upgrades; reads subscribe
// requests, checks them against what the user may read, and hands them to the LiveStream.
//
// Client → server: {"subscribe":[channel ids], "since": seq?} (once per connection), {"type":"ping"}.
// Server → client: {"type":"subscribed","channels":[...],"head":seq}, {"type":"event",seq,...},
// {"type":"resync","head":seq}, {"type":"pong"}, and {"type":"error",code,message} before a close
// with 1008. A peer too slow for its bounded queue is closed by hub/net with 1008 "too slow: resync".
#pragma once

#include <string>

#include "hub/cohorts/cohort_store.hpp"
#include "hub/discussion/live_stream.hpp"
#include "hub/http/router.hpp"
#include "hub/http/service.hpp"

namespace hub::discussion {

class LiveEndpoint final : public http::WebSocketHandler {
 public:
  LiveEndpoint(store::Executor& db, http::Authenticator& auth, LiveStream& stream, std::string public_origin);

  boost::asio::awaitable<std::optional<http::Response>> admit(http::Request& upgrade) override;
  void on_open(const std::shared_ptr<http::WebSocketPeer>& peer, const http::Request& upgrade) override;
  void on_message(const std::shared_ptr<http::WebSocketPeer>& peer, std::string text) override;
  void on_close(const std::shared_ptr<http::WebSocketPeer>& peer) override;

 private:
  struct Connection {
    http::Principal who;
    bool subscribed = false;
  };
  boost::asio::awaitable<void> check_and_subscribe(std::shared_ptr<http::WebSocketPeer> peer, http::Principal who,
                                                   std::vector<std::int64_t> channels,
                                                   std::optional<std::int64_t> since);

  store::Executor& db_;
  http::Authenticator& auth_;
  LiveStream& stream_;
  const std::string public_origin_;
  std::mutex mutex_;                                                // guards connections_
  std::unordered_map<std::uint64_t, Connection> connections_;      // by peer id, from open to close
};

}  // namespace hub::discussion
