// The Accounts routes of API.md: invites, registration, login, logout, /api/me and API tokens.
#pragma once

#include <string>

#include "hub/auth/client_address.hpp"
#include "hub/auth/invite_mailer.hpp"
#include "hub/auth/membership.hpp"
#include "hub/auth/options.hpp"
#include "hub/auth/session_authenticator.hpp"
#include "hub/http/clock.hpp"
#include "hub/http/cpu_pool.hpp"
#include "hub/http/rate_limiter.hpp"
#include "hub/http/router.hpp"
#include "hub/store/executor.hpp"

namespace hub::auth {

class AccountRoutes {
 public:
  // All references must outlive this object. Throws on a bad options.trusted_proxies (start-up).
  AccountRoutes(store::Executor& db, http::CpuPool& cpu, const Clock& clock, Membership& membership,
                SessionAuthenticator& authenticator, const AuthOptions& options);
  void add_to(http::Router& router);
  // Lets `POST /api/invites` mail its link when the body names an `email`; without a mailer such
  // a request gets 409. `mailer` must outlive this object.
  void mail_invites_through(const InviteMailer* mailer) { mailer_ = mailer; }

 private:
  using Request = http::Request;
  using Response = http::Response;
  using Context = http::Context;
  boost::asio::awaitable<Response> login(Request& req, Context& ctx);
  boost::asio::awaitable<Response> logout(Request& req, Context& ctx);
  boost::asio::awaitable<Response> register_user(Request& req, Context& ctx);
  boost::asio::awaitable<Response> me(Request& req, Context& ctx);
  boost::asio::awaitable<Response> create_token(Request& req, Context& ctx);
  boost::asio::awaitable<Response> list_tokens(Request& req, Context& ctx);
  boost::asio::awaitable<Response> revoke_token(Request& req, Context& ctx);
  boost::asio::awaitable<Response> create_invite(Request& req, Context& ctx);
  boost::asio::awaitable<Response> list_invites(Request& req, Context& ctx);
  boost::asio::awaitable<Response> revoke_invite(Request& req, Context& ctx);
  boost::asio::awaitable<Response> change_role(Request& req, Context& ctx);

  // Creates a session for `user_id` and answers `status` with {user} and the cookie.
  boost::asio::awaitable<Response> open_session(std::int64_t user_id, int status);
  // Stores a hash at the configured cost when `stored` was made at a lower one. Best effort: the
  // login succeeds whatever happens here, and the next one tries again.
  boost::asio::awaitable<void> upgrade_hash(std::int64_t user_id, std::string password, std::string stored);
  std::string session_cookie(const std::string& token, std::int64_t max_age) const;

  store::Executor& db_;
  http::CpuPool& cpu_;
  const Clock& clock_;
  Membership& membership_;
  const InviteMailer* mailer_ = nullptr;
  SessionAuthenticator& authenticator_;  // told to forget sessions and tokens that end
  const AuthOptions options_;
  const std::string cookie_name_;
  const TrustedProxies proxies_;  // whose X-Forwarded-For names the client
  http::RateLimiter per_ip_;      // login and registration attempts by client address (an IPv6 /64)
  http::RateLimiter per_handle_;  // failed logins by target handle and client address
  std::string dummy_hash_;        // verified against for unknown handles, so timing does not tell
};

// {id, handle, display_name, role, cohort_ids} for one user (runs on a DB thread).
http::Result<nlohmann::json> user_json(store::Connection& db, Membership& membership, std::int64_t user_id);

}  // namespace hub::auth
