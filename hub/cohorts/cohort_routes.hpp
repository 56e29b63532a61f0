// The Cohorts routes of API.md, plus adding an existing user to a cohort and removing one.
// Every access decision is asked of hub/cohorts/policy.hpp.
#pragma once

#include "hub/auth/access_events.hpp"
#include "hub/auth/policy.hpp"
#include "hub/cohorts/cohort_store.hpp"
#include "hub/http/clock.hpp"
#include "hub/http/router.hpp"
#include "hub/store/executor.hpp"

namespace hub::cohorts {

class CohortRoutes {
 public:
  // `events` hears of every membership that ends. All references must outlive this object.
  CohortRoutes(store::Executor& db, const Clock& clock, CohortMembership& membership, auth::AccessWatcher& events);
  void add_to(http::Router& router);

 private:
  using Request = http::Request;
  using Response = http::Response;
  using Context = http::Context;
  boost::asio::awaitable<Response> create(Request& req, Context& ctx);
  boost::asio::awaitable<Response> list(Request& req, Context& ctx);
  boost::asio::awaitable<Response> show(Request& req, Context& ctx);
  boost::asio::awaitable<Response> members(Request& req, Context& ctx);
  boost::asio::awaitable<Response> add_member(Request& req, Context& ctx);
  boost::asio::awaitable<Response> remove_member(Request& req, Context& ctx);

  store::Executor& db_;
  const Clock& clock_;
  CohortMembership& membership_;
  auth::AccessWatcher& events_;  // told when a membership ends, so live subscriptions end with it
};

// The actor's facts for the policy: role and cohort memberships (runs on a DB thread).
auth::Actor actor_of(Connection& db, CohortMembership& membership, const http::Principal& who);

// A cohort is visible to admins and to its members; to everyone else it does not exist (404).
Status check_visible(Connection& db, CohortMembership& membership, const http::Principal& who,
                     std::int64_t cohort_id);

}  // namespace hub::cohorts
