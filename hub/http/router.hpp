// Maps method and path patterns such as /api/cohorts/{id} to handlers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "hub/http/error.hpp"
#include "hub/http/message.hpp"

namespace hub::http {

// Who a request acts for, as established by an Authenticator.
struct Principal {
  std::int64_t user_id = 0;
  std::string handle;
  std::string role;             // "admin" | "mentor" | "member"
  bool via_cookie = false;      // a browser session: CSRF checks apply
  std::string session_key;      // the hashed session id, for logout
  std::int64_t expires_at = 0;  // when the session ends (0 for API tokens)
};

// Implemented by hub/auth.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // nullopt when the request carries no valid credentials.
  virtual boost::asio::awaitable<Result<std::optional<Principal>>> authenticate(const Request& request) = 0;
  // The principal when it is known without waiting (a cache hit); nullopt means "call
  // authenticate()", not "no credentials". Spares most requests authenticate()'s coroutine frames.
  virtual std::optional<Principal> known(const Request&) { return std::nullopt; }
};

struct Context {
  std::optional<Principal> principal;
  // REQUIRES: the route's access is not Access::anyone.
  const Principal& user() const { return *principal; }
};

enum class Access { anyone, user, admin };

struct RouteOptions {
  Access access = Access::user;
  std::size_t body_limit = 16 * 1024;
  // The route checks a credential of its own (a signed token in the URL): outside the cookie CSRF
  // rule, as DESIGN.md allows. REQUIRES: access is Access::anyone.
  bool authenticates_itself = false;
};

using Handler = std::function<boost::asio::awaitable<Response>(Request&, Context&)>;

struct Route {
  Method method;
  std::string pattern;
  RouteOptions options;
  Handler handler;
  std::vector<std::string> segments;  // the pattern split on '/'
};

// A Handler that calls `(self->*fn)(request, context)`, for routes served by member functions.
template <class T>
Handler member_handler(T* self, boost::asio::awaitable<Response> (T::*fn)(Request&, Context&)) {
  return [self, fn](Request& r, Context& c) { return (self->*fn)(r, c); };
}

class Router {
 public:
  void add(Method method, std::string pattern, RouteOptions options, Handler handler);

  struct Match {
    const Route* route = nullptr;     // null when nothing matched
    bool path_known = false;          // some route has this path (so 405, not 404)
    std::vector<PathParam> params;
  };
  // HEAD matches GET routes.
  Match match(Method method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;  // in registration order; a literal segment wins over {param}
  std::vector<std::vector<std::size_t>> by_length_;  // indexes into routes_, by segment count
};

}  // namespace hub::http
