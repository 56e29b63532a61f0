#include "hub/auth/session_authenticator.hpp"

#include "hub/auth/account_store.hpp"
#include "hub/auth/secrets.hpp"

namespace hub::auth {

std::string session_cookie_name(const AuthOptions& options) {
  return options.secure_cookies ? "__Host-ch_session" : "ch_session";
}

namespace {

// A token and a session id with the same hash are different credentials: the cache must never
// answer for one what it learnt for the other.
std::string cache_key(CredentialKind kind, const std::string& hash) {
  return (kind == CredentialKind::token ? "token:" : "session:") + hash;
}

}  // namespace

SessionAuthenticator::SessionAuthenticator(store::Executor& db, const Clock& clock, const AuthOptions& options,
                                           AccessWatcher* events)
    : db_(db),
      clock_(clock),
      cookie_name_(session_cookie_name(options)),
      cache_(clock, options.principal_cache_ttl_s),
      events_(events) {}

void SessionAuthenticator::forget(CredentialKind kind, const std::string& key) {
  cache_.forget(cache_key(kind, key));
  if (events_) events_->credential_ended(kind, key);
}

std::optional<SessionAuthenticator::Credential> SessionAuthenticator::credential_of(const http::Request& req) const {
  std::string_view authorization = req.headers.get("Authorization");
  if (authorization.substr(0, 7) == "Bearer ") {
    std::string_view token = authorization.substr(7);
    if (token.substr(0, 4) != kTokenPrefix || token.size() > 128) return std::nullopt;
    return Credential{sha256_hex(token), CredentialKind::token};
  }
  std::string_view cookie = req.cookie(cookie_name_);
  if (cookie.empty() || cookie.size() > 128) return std::nullopt;
  return Credential{sha256_hex(cookie), CredentialKind::session};
}

boost::asio::awaitable<http::Result<std::optional<http::Principal>>> SessionAuthenticator::authenticate(
    const http::Request& req) {
  using Out = http::Result<std::optional<http::Principal>>;
  auto credential = credential_of(req);
  if (!credential) co_return Out(std::optional<http::Principal>{});
  co_return co_await lookup(std::move(*credential));
}

std::optional<http::Principal> SessionAuthenticator::known(const http::Request& req) {
  auto credential = credential_of(req);
  if (!credential) return std::nullopt;
  return cache_.get(cache_key(credential->kind, credential->hash));
}

boost::asio::awaitable<http::Result<std::optional<http::Principal>>> SessionAuthenticator::lookup(
    Credential credential) {
  const std::string key = cache_key(credential.kind, credential.hash);
  if (auto hit = cache_.get(key)) co_return std::optional<http::Principal>(std::move(*hit));
  const std::int64_t now = clock_.now();
  auto lookup_job = [hash = credential.hash, now, kind = credential.kind](Connection& c) {
    return kind == CredentialKind::token ? principal_for_token(c, hash) : principal_for_session(c, hash, now);
  };
  auto found = co_await db_.read(lookup_job);
  if (found && *found) cache_.put(key, **found, (*found)->expires_at);
  co_return found;
}

}  // namespace hub::auth
