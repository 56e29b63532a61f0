// The playbook routes of API.md: list, create, view, save (409 with a three-way merge on a stale
// base, 428 without one), settings, history, one revision, diff of any two, revert, and search.
#pragma once

#include "hub/http/router.hpp"
#include "playbooks/services.hpp"

namespace hub::playbooks {

class PlaybookRoutes {
 public:
  explicit PlaybookRoutes(Services& services) : s_(services) {}
  void add_to(http::Router& router);

 private:
  using Request = http::Request;
  using Response = http::Response;
  using Context = http::Context;
  boost::asio::awaitable<Response> list(Request& req, Context& ctx);
  boost::asio::awaitable<Response> create(Request& req, Context& ctx);
  boost::asio::awaitable<Response> show(Request& req, Context& ctx);
  boost::asio::awaitable<Response> save(Request& req, Context& ctx);
  boost::asio::awaitable<Response> settings(Request& req, Context& ctx);
  boost::asio::awaitable<Response> settings_log(Request& req, Context& ctx);
  boost::asio::awaitable<Response> revisions(Request& req, Context& ctx);
  boost::asio::awaitable<Response> revision(Request& req, Context& ctx);
  boost::asio::awaitable<Response> diff(Request& req, Context& ctx);
  boost::asio::awaitable<Response> revert(Request& req, Context& ctx);
  boost::asio::awaitable<Response> search(Request& req, Context& ctx);

  Services& s_;
};

}  // namespace hub::playbooks
