// Establishes who a request acts for: an API token (Authorization: Bearer) or a session cookie.
#pragma once

#include <string>

#include "hub/auth/access_events.hpp"
#include "hub/auth/options.hpp"
#include "hub/auth/principal_cache.hpp"
#include "hub/http/clock.hpp"
#include "hub/http/router.hpp"
#include "hub/store/executor.hpp"

namespace hub::auth {

inline constexpr const char* kTokenPrefix = "chp_";

// The session cookie's name: "__Host-ch_session" with secure cookies, else "ch_session".
std::string session_cookie_name(const AuthOptions& options);

class SessionAuthenticator final : public http::Authenticator {
 public:
  // `events` (may be null) hears of every credential forgotten.
  SessionAuthenticator(store::Executor& db, const Clock& clock, const AuthOptions& options,
                       AccessWatcher* events = nullptr);
  boost::asio::awaitable<http::Result<std::optional<http::Principal>>> authenticate(
      const http::Request& request) override;
  std::optional<http::Principal> known(const http::Request& request) override;
  // Forgets a session or token at once (logout, revocation), and tells the watcher, so that live
  // connections opened with it close. `key` is its stored hash.
  void forget(CredentialKind kind, const std::string& key);

 private:
  struct Credential {
    std::string hash;     // as stored: SHA-256 of the token or session id
    CredentialKind kind;  // an API token (Bearer) or a session cookie
  };
  // The request's API token, or else its session cookie; nullopt when it has neither in a valid form.
  // A bearer request never falls back to the cookie.
  std::optional<Credential> credential_of(const http::Request& request) const;
  boost::asio::awaitable<http::Result<std::optional<http::Principal>>> lookup(Credential credential);

  store::Executor& db_;
  const Clock& clock_;
  const std::string cookie_name_;
  PrincipalCache cache_;  // saves a DB round trip on most requests; keyed by kind and hash
  AccessWatcher* events_;  // may be null
};

}  // namespace hub::auth
