#include "hub/auth/session_authenticator.hpp"

#include "hub/auth/account_store.hpp"
#include "hub/auth/secrets.hpp"

namespace hub::auth {

std::string session_cookie_name(const AuthOptions& options) {
  return options.secure_cookies ? "__Host-ch_session" : "ch_session";
}

SessionAuthenticator::SessionAuthenticator(store::Executor& db, const Clock& clock, const AuthOptions& options)
    : db_(db), clock_(clock), cookie_name_(session_cookie_name(options)), cache_(clock, options.principal_cache_ttl_s) {}

std::optional<SessionAuthenticator::Credential> SessionAuthenticator::credential_of(const http::Request& req) const {
  std::string_view authorization = req.headers.get("Authorization");
  if (authorization.substr(0, 7) == "Bearer ") {
    std::string_view token = authorization.substr(7);
    if (token.substr(0, 4) != kTokenPrefix || token.size() > 128) return std::nullopt;
    return Credential{sha256_hex(token), true};
  }
  std::string_view cookie = req.cookie(cookie_name_);
  if (cookie.empty() || cookie.size() > 128) return std::nullopt;
  return Credential{sha256_hex(cookie), false};
}

boost::asio::awaitable<http::Result<std::optional<http::Principal>>> SessionAuthenticator::authenticate(
    const http::Request& req) {
  using Out = http::Result<std::optional<http::Principal>>;
  auto credential = credential_of(req);
  if (!credential) co_return Out(std::optional<http::Principal>{});
  co_return co_await lookup(std::move(credential->hash), credential->is_token);
}

std::optional<http::Principal> SessionAuthenticator::known(const http::Request& req) {
  auto credential = credential_of(req);
  if (!credential) return std::nullopt;
  return cache_.get(credential->hash);
}

boost::asio::awaitable<http::Result<std::optional<http::Principal>>> SessionAuthenticator::lookup(std::string hash,
                                                                                                bool is_token) {
  if (auto hit = cache_.get(hash)) co_return std::optional<http::Principal>(std::move(*hit));
  const std::int64_t now = clock_.now();
  auto lookup_job = [hash, now, is_token](Connection& c) {
    return is_token ? principal_for_token(c, hash) : principal_for_session(c, hash, now);
  };
  auto found = co_await db_.read(lookup_job);
  if (found && *found) cache_.put(hash, **found, (*found)->expires_at);
  co_return found;
}

}  // namespace hub::auth
