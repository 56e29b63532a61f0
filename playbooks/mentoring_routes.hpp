// Mentoring: an admin or a mentor pairs a mentor with a mentee; the mentor assigns a playbook
// pinned to a revision, whose task list becomes checklist items; the mentee ticks them with notes;
// the mentor follows progress on a dashboard. Who may do what is playbooks/policy.hpp.
#pragma once

#include "hub/http/router.hpp"
#include "playbooks/services.hpp"

namespace hub::playbooks {

class MentoringRoutes {
 public:
  explicit MentoringRoutes(Services& services) : s_(services) {}
  void add_to(http::Router& router);

 private:
  using Request = http::Request;
  using Response = http::Response;
  using Context = http::Context;
  boost::asio::awaitable<Response> pair(Request& req, Context& ctx);
  boost::asio::awaitable<Response> pairs(Request& req, Context& ctx);
  boost::asio::awaitable<Response> unpair(Request& req, Context& ctx);
  boost::asio::awaitable<Response> assign(Request& req, Context& ctx);
  boost::asio::awaitable<Response> assignments(Request& req, Context& ctx);
  boost::asio::awaitable<Response> assignment(Request& req, Context& ctx);
  boost::asio::awaitable<Response> tick(Request& req, Context& ctx);
  boost::asio::awaitable<Response> dashboard(Request& req, Context& ctx);

  std::string today() const { return format_date(s_.clock.now()); }

  Services& s_;
};

}  // namespace hub::playbooks
