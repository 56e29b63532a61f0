// The Matrix bridge as the hub wires it: the appservice routes, and, when [matrix] is configured
// and the hub is attached to an outbound HTTP client, the connector its relay sends through (and,
// in bot mode, the /sync loop that reads the rooms).
// Unconfigured, the routes still exist (the API is fixed) and refuse every request, since there
// is no hs_token to present.
#pragma once

#include <memory>
#include <optional>

#include <boost/asio/steady_timer.hpp>

#include "bridge/matrix/appservice_routes.hpp"
#include "bridge/matrix/bot_sync.hpp"
#include "bridge/matrix/matrix_connector.hpp"

namespace hub::bridge::matrix {

class MatrixBridge {
 public:
  // `options` nullopt: the bridge is off.
  MatrixBridge(store::Executor& db, discussion::BridgeSeam& seam, const Clock& clock,
               std::optional<MatrixOptions> options);

  void add_to(http::Router& router) { routes_.add_to(router); }
  bool enabled() const { return enabled_; }
  // Makes the connector over `client`, for the hub's relay; null when the bridge is off.
  // REQUIRES: `client` outlives the connector.
  MatrixConnector* attach(http::HttpClient& client);

  // Bot mode: the /sync loop, on `executor` (the network thread). Appservice mode: a ping of the
  // homeserver (POST /_matrix/client/v1/appservice/{id}/ping, retried with backoff until it
  // answers), which tells a homeserver holding transactions for the hub (it was down) to send them
  // now rather than at its next backoff. Nothing before attach(). stop() ends them at their next
  // wait; detach() destroys them after the io_context stopped (their timers belong to it); poke()
  // says the mappings changed.
  void start(boost::asio::any_io_executor executor);
  void stop();
  void detach() {
    sync_.reset();
    ping_wait_.reset();
  }
  void poke();

  MatrixConnector* connector() { return connector_.get(); }
  BotSync* bot_sync() { return sync_.get(); }
  const MatrixOptions& options() const { return options_; }

 private:
  store::Executor& db_;
  const bool enabled_;
  const MatrixOptions options_;
  AppserviceRoutes routes_;
  std::unique_ptr<MatrixConnector> connector_;  // null until attach()
  std::unique_ptr<BotSync> sync_;               // bot mode only, from attach()
  std::unique_ptr<boost::asio::steady_timer> ping_wait_;  // appservice mode: between pings
  bool stopping_ = false;

  boost::asio::awaitable<void> ping_homeserver();
};

}  // namespace hub::bridge::matrix
