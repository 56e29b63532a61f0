// The bridge's admin API (API.md, "Bridge (admin)"): channel <-> room mappings, their status (last
// change each way, lag, errors, parked messages) and "retry" for a parked message.
#pragma once

#include <functional>

#include <boost/asio/awaitable.hpp>

#include "hub/http/clock.hpp"
#include "hub/http/router.hpp"
#include "hub/store/executor.hpp"

namespace hub::bridge {

class AdminRoutes {
 public:
  // `wake` is called after a change the relays should see at once (a new mapping, a retry).
  AdminRoutes(store::Executor& db, const Clock& clock, std::function<void()> wake)
      : db_(db), clock_(clock), wake_(std::move(wake)) {}
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

  store::Executor& db_;
  const Clock& clock_;
  std::function<void()> wake_;
};

}  // namespace hub::bridge
