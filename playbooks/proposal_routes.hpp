// Proposals: open one against a base revision, update it (earlier approvals lapse), review it
// (approve or request changes; never your own), and merge it once it has the approvals the
// playbook needs. A proposal whose base is stale is merged three-way, or reports its conflicts.
#pragma once

#include "hub/http/router.hpp"
#include "playbooks/services.hpp"

namespace hub::playbooks {

class ProposalRoutes {
 public:
  explicit ProposalRoutes(Services& services) : s_(services) {}
  void add_to(http::Router& router);

 private:
  using Request = http::Request;
  using Response = http::Response;
  using Context = http::Context;
  boost::asio::awaitable<Response> open(Request& req, Context& ctx);
  boost::asio::awaitable<Response> list(Request& req, Context& ctx);
  boost::asio::awaitable<Response> show(Request& req, Context& ctx);
  boost::asio::awaitable<Response> update(Request& req, Context& ctx);
  boost::asio::awaitable<Response> diff(Request& req, Context& ctx);
  boost::asio::awaitable<Response> review(Request& req, Context& ctx);
  boost::asio::awaitable<Response> merge(Request& req, Context& ctx);
  boost::asio::awaitable<Response> close(Request& req, Context& ctx);

  // {proposal, content, reviews, head_revision} for one proposal.
  boost::asio::awaitable<Response> proposal_response(std::int64_t id, int status);

  Services& s_;
};

}  // namespace hub::playbooks
