// The discussion module as the hub wires it: routes, the live stream and the /api/live endpoint.
#pragma once

#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "hub/discussion/bridge_seam.hpp"
#include "hub/discussion/discussion_routes.hpp"
#include "hub/discussion/live_endpoint.hpp"
#include "hub/discussion/live_stream.hpp"

namespace hub::discussion {

class Discussion {
 public:
  Discussion(store::Executor& db, http::CpuPool& cpu, const Clock& clock, cohorts::CohortMembership& membership,
             http::Authenticator& auth, DiscussionOptions options, std::string public_origin)
      : stream_(db),
        routes_(db, cpu, clock, membership, stream_, options),
        endpoint_(db, auth, stream_, std::move(public_origin)),
        seam_(db, cpu, clock, stream_) {}

  void add_to(http::Router& router) { routes_.add_to(router); }
  http::WebSocketHandler& live_endpoint() { return endpoint_; }
  LiveStream& stream() { return stream_; }
  // What bridge/ uses of discussion (bridge_seam.hpp).
  BridgeSeam& bridge_seam() { return seam_; }
  // Gives the live side its executor (main.cpp calls it with the io_context's, after creating
  // it). Until then /api/live answers 503 and writes notify nobody.
  void attach(boost::asio::any_io_executor executor) { stream_.attach(std::move(executor)); }

 private:
  LiveStream stream_;
  DiscussionRoutes routes_;
  LiveEndpoint endpoint_;
  BridgeSeam seam_;
};

}  // namespace hub::discussion
