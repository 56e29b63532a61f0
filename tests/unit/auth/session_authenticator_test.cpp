#include <catch2/catch.hpp>

#include "hub/auth/account_store.hpp"
#include "hub/auth/secrets.hpp"
#include "hub/auth/session_authenticator.hpp"
#include "tests/unit/support/run_coro.hpp"

using namespace hub;
using namespace hub::auth;
using hub::testing::run_coro;
using hub::testing::TempDir;

namespace {

const std::string kToken = std::string(kTokenPrefix) + "test-token-not-secret";
const std::string kSession = "session-id-not-secret";

struct World {
  TempDir dir;
  FakeClock clock;
  store::Executor db{dir.path + "/db", {accounts_migration()}};
  std::int64_t user_id = 0;
  SessionAuthenticator auth{db, clock, AuthOptions{}};

  World() {
    auto setup = db.write_now([&](Connection& c) -> Result<std::int64_t> {
      auto user = insert_user(c, "sam", "Sam", "member", "h", clock.now());
      if (!user) return user.error();
      if (auto t = insert_token(c, user->id, "laptop", sha256_hex(kToken), clock.now()); !t) return t.error();
      if (auto s = insert_session(c, sha256_hex(kSession), user->id, clock.now(), clock.now() + 3600); !s)
        return s.error();
      return user->id;
    });
    user_id = setup.value();
  }

  std::optional<http::Principal> authenticate(const http::Request& r) {
    return run_coro(auth.authenticate(r)).value();
  }
};

http::Request with_header(const std::string& name, const std::string& value) {
  http::Request r;
  r.headers.add(name, value);
  return r;
}

}  // namespace

TEST_CASE("auth: known() answers from the cache only, for tokens and sessions alike") {
  World w;
  for (const auto& request : {with_header("Authorization", "Bearer " + kToken),
                              with_header("Cookie", "other=1; ch_session=" + kSession)}) {
    CHECK_FALSE(w.auth.known(request).has_value());  // cold: the pipeline must await authenticate()
    auto found = w.authenticate(request);
    REQUIRE(found.has_value());
    CHECK(found->user_id == w.user_id);
    auto cached = w.auth.known(request);
    REQUIRE(cached.has_value());
    CHECK(cached->user_id == w.user_id);
    CHECK(cached->role == "member");
  }
}

TEST_CASE("auth: forget() and expiry take effect in known() at once") {
  World w;
  const auto request = with_header("Authorization", "Bearer " + kToken);
  REQUIRE(w.authenticate(request).has_value());
  REQUIRE(w.auth.known(request).has_value());
  w.auth.forget(CredentialKind::token, sha256_hex(kToken));
  CHECK_FALSE(w.auth.known(request).has_value());

  REQUIRE(w.authenticate(request).has_value());
  w.clock.advance(31);  // past principal_cache_ttl_s
  CHECK_FALSE(w.auth.known(request).has_value());
}

TEST_CASE("auth: a malformed bearer token never falls back to a valid cookie") {
  World w;
  REQUIRE(w.authenticate(with_header("Cookie", "ch_session=" + kSession)).has_value());  // now cached
  http::Request r;
  r.headers.add("Authorization", "Bearer not-our-prefix");
  r.headers.add("Cookie", "ch_session=" + kSession);
  CHECK_FALSE(w.auth.known(r).has_value());
  CHECK_FALSE(w.authenticate(r).has_value());
  CHECK_FALSE(w.authenticate(with_header("Authorization", "Bearer " + kToken + std::string(200, 'x'))).has_value());
  CHECK_FALSE(w.authenticate(http::Request{}).has_value());
}

TEST_CASE("auth: an API token used as a bearer is not then accepted as a session cookie") {
  World w;
  REQUIRE(w.authenticate(with_header("Authorization", "Bearer " + kToken)).has_value());  // now cached
  const auto as_cookie = with_header("Cookie", "ch_session=" + kToken);
  CHECK_FALSE(w.auth.known(as_cookie).has_value());
  CHECK_FALSE(w.authenticate(as_cookie).has_value());
  // Nor the other way round: a session id sent as a bearer token (with the token prefix) is no token.
  const std::string prefixed_session = std::string(kTokenPrefix) + "a-session-id";
  REQUIRE(w.db.write_now([&](Connection& c) {
    return insert_session(c, sha256_hex(prefixed_session), w.user_id, w.clock.now(), w.clock.now() + 3600);
  }).ok());
  REQUIRE(w.authenticate(with_header("Cookie", "ch_session=" + prefixed_session)).has_value());
  CHECK_FALSE(w.authenticate(with_header("Authorization", "Bearer " + prefixed_session)).has_value());
}
