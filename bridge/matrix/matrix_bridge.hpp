// The Matrix bridge as the hub wires it: the appservice routes, and, when [matrix] is configured
// and the hub is attached to an outbound HTTP client, the connector its relay sends through.
// Unconfigured, the routes still exist (the API is fixed) and refuse every request, since there
// is no hs_token to present.
#pragma once

#include <memory>
#include <optional>

#include "bridge/matrix/appservice_routes.hpp"
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

  MatrixConnector* connector() { return connector_.get(); }
  const MatrixOptions& options() const { return options_; }

 private:
  store::Executor& db_;
  const bool enabled_;
  const MatrixOptions options_;
  AppserviceRoutes routes_;
  std::unique_ptr<MatrixConnector> connector_;  // null until attach()
};

}  // namespace hub::bridge::matrix
