// Establishes who a request acts for: an API token (Authorization: Bearer) or a session cookie.
#pragma once

#include <string>

#include "hub/auth/options.hpp"
#include "hub/http/clock.hpp"
#include "hub/http/router.hpp"
#include "hub/store/executor.hpp"

namespace hub::auth {

inline constexpr const char* kTokenPrefix = "chp_";

// The session cookie's name: "__Host-ch_session" with secure cookies, else "ch_session".
std::string session_cookie_name(const AuthOptions& options);

class SessionAuthenticator final : public http::Authenticator {
 public:
  SessionAuthenticator(store::Executor& db, const Clock& clock, const AuthOptions& options);
  boost::asio::awaitable<http::Result<std::optional<http::Principal>>> authenticate(
      const http::Request& request) override;

 private:
  store::Executor& db_;
  const Clock& clock_;
  const std::string cookie_name_;
};

}  // namespace hub::auth
