// The bridge's admin API (API.md, "Bridge (admin)"): channel <-> room mappings, their status (last
// change each way, lag, errors, parked messages) and "retry" for a parked message.
#pragma once

#include <functional>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "hub/http/clock.hpp"
#include "hub/http/router.hpp"
#include "hub/store/executor.hpp"

namespace hub::bridge {

class AdminRoutes {
 public:
  // `wake` is called after a change the relays should see at once (a new mapping, a retry).
  // Without `links_back` ([server] public_origin unset, bridge/hub_link.hpp) the list and every
  // status carry the warning kLinksBackWarning.
  AdminRoutes(store::Executor& db, const Clock& clock, std::function<void()> wake, bool links_back = true)
      : db_(db), clock_(clock), wake_(std::move(wake)), links_back_(links_back) {}
  void add_to(http::Router& router);

 private:
  using Request = http::Request;
  using Response = http::Response;
  using Context = http::Context;
  boost::asio::awaitable<Response> list(Request& req, Context& ctx);
  boost::asio::awaitable<Response> create(Request& req, Context& ctx);
  boost::asio::awaitable<Response> remove(Request& req, Context& ctx);
  boost::asio::awaitable<Response> status(Request& req, Context& ctx);
  boost::asio::awaitable<Response> retry(Request& req, Context& ctx);
  // What the admin should fix for every mapping (the list's and each status's "warnings").
  nlohmann::json warnings() const;

  store::Executor& db_;
  const Clock& clock_;
  std::function<void()> wake_;
  const bool links_back_;
};

}  // namespace hub::bridge
