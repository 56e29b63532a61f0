// The Discussion routes of API.md, plus read markers, reactions, history, mutes and a Markdown preview.
#pragma once

#include "hub/cohorts/cohort_store.hpp"
#include "hub/discussion/live_stream.hpp"
#include "hub/http/clock.hpp"
#include "hub/http/cpu_pool.hpp"
#include "hub/http/rate_limiter.hpp"
#include "hub/http/router.hpp"
#include "hub/store/executor.hpp"

namespace hub::discussion {

struct DiscussionOptions {
  int post_burst = 30;             // messages a user may post at once...
  double post_refill_seconds = 1;  // ...refilled at one per this many seconds
  int preview_burst = 20;             // Markdown previews a user may ask for at once...
  double preview_refill_seconds = 2;  // ...refilled at one per this many seconds
};

class DiscussionRoutes {
 public:
  DiscussionRoutes(store::Executor& db, http::CpuPool& cpu, const Clock& clock, cohorts::CohortMembership& membership,
                   LiveStream& live, DiscussionOptions options);
  void add_to(http::Router& router);

 private:
  using Request = http::Request;
  using Response = http::Response;
  using Context = http::Context;
  boost::asio::awaitable<Response> list_channels(Request& req, Context& ctx);
  boost::asio::awaitable<Response> create_channel(Request& req, Context& ctx);
  boost::asio::awaitable<Response> update_channel(Request& req, Context& ctx);
  boost::asio::awaitable<Response> list_messages(Request& req, Context& ctx);
  boost::asio::awaitable<Response> post(Request& req, Context& ctx);
  boost::asio::awaitable<Response> mark_read(Request& req, Context& ctx);
  boost::asio::awaitable<Response> mute(Request& req, Context& ctx);
  boost::asio::awaitable<Response> edit(Request& req, Context& ctx);
  boost::asio::awaitable<Response> remove(Request& req, Context& ctx);
  boost::asio::awaitable<Response> history(Request& req, Context& ctx);
  boost::asio::awaitable<Response> react(Request& req, Context& ctx);
  boost::asio::awaitable<Response> unreact(Request& req, Context& ctx);
  boost::asio::awaitable<Response> preview(Request& req, Context& ctx);

  // Renders a message body on the CPU pool; a full pool is 503.
  boost::asio::awaitable<http::Result<std::string>> render(std::string markdown);
  // Runs `job` (a write returning Result<Change>), tells live clients, and answers `status` with
  // the change: the tail every posting, editing, deleting and reacting handler shares.
  template <class Job>
  boost::asio::awaitable<Response> commit(Job& job, int status);

  store::Executor& db_;
  http::CpuPool& cpu_;
  const Clock& clock_;
  cohorts::CohortMembership& membership_;
  LiveStream& live_;
  http::RateLimiter post_limiter_;     // keyed by user id
  http::RateLimiter preview_limiter_;  // keyed by user id
};

}  // namespace hub::discussion
