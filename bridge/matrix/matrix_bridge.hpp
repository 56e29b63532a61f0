// The Matrix bridge as the hub wires it: the appservice routes, and, when [matrix] is configured
// and the hub is attached to the network thread and an outbound HTTP client, the connector and its
// relay. Unconfigured, the routes still exist (the API is fixed) and refuse every request, since
// there is no hs_token to present.
#pragma once

#include <memory>
#include <optional>

#include <boost/asio/any_io_executor.hpp>

#include "bridge/matrix/appservice_routes.hpp"
#include "bridge/matrix/matrix_connector.hpp"
#include "bridge/relay.hpp"

namespace hub::bridge::matrix {

class MatrixBridge {
 public:
  // `options` nullopt: the bridge is off.
  MatrixBridge(store::Executor& db, discussion::BridgeSeam& seam, const Clock& clock,
               std::optional<MatrixOptions> options, RelayOptions relay = {});

  void add_to(http::Router& router) { routes_.add_to(router); }
  bool enabled() const { return enabled_; }
  // Starts relaying hub events through `client` on `executor` (the live stream's); nothing when off.
  // REQUIRES: the live stream is attached; `client` outlives stop().
  void attach(boost::asio::any_io_executor executor, http::HttpClient& client);
  // Ends the relay's loops at their next wait; what was not sent stays in the outbox.
  void stop();
  // Destroys the relay and the connector (their timer belongs to the executor's io_context).
  // REQUIRES: called while that io_context still exists, after stop().
  void detach();

  MatrixConnector* connector() { return connector_.get(); }
  Relay* relay() { return relay_.get(); }
  const MatrixOptions& options() const { return options_; }

 private:
  store::Executor& db_;
  discussion::BridgeSeam& seam_;
  const Clock& clock_;
  const bool enabled_;
  const MatrixOptions options_;
  const RelayOptions relay_options_;
  AppserviceRoutes routes_;
  std::unique_ptr<MatrixConnector> connector_;  // null until attach()
  std::unique_ptr<Relay> relay_;                // null until attach()
};

}  // namespace hub::bridge::matrix
