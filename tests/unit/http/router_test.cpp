#include <catch2/catch.hpp>

#include "hub/http/router.hpp"

using namespace hub::http;

namespace {
Handler noop() {
  return [](Request&, Context&) -> boost::asio::awaitable<Response> { co_return Response{}; };
}
}  // namespace

TEST_CASE("router: a {param} segment captures the path segment") {
  Router r;
  r.add(Method::get, "/api/cohorts/{id}/members", {}, noop());
  auto m = r.match(Method::get, "/api/cohorts/42/members");
  REQUIRE(m.route != nullptr);
  REQUIRE(m.params.size() == 1);
  CHECK(m.params[0].name == "id");
  CHECK(m.params[0].value == "42");
}

TEST_CASE("router: a literal segment wins over a parameter whatever the order") {
  Router r;
  r.add(Method::get, "/api/x/{id}", {}, noop());
  r.add(Method::get, "/api/x/special", {}, noop());
  CHECK(r.match(Method::get, "/api/x/special").route->pattern == "/api/x/special");
  CHECK(r.match(Method::get, "/api/x/7").route->pattern == "/api/x/{id}");
}

TEST_CASE("router: the wrong method is known-path (405), an unknown path is not (404)") {
  Router r;
  r.add(Method::post, "/api/login", {}, noop());
  auto wrong = r.match(Method::get, "/api/login");
  CHECK(wrong.route == nullptr);
  CHECK(wrong.path_known);
  auto unknown = r.match(Method::get, "/api/nope");
  CHECK(unknown.route == nullptr);
  CHECK_FALSE(unknown.path_known);
}

TEST_CASE("router: HEAD matches GET routes; empty segments and trailing slashes do not match") {
  Router r;
  r.add(Method::get, "/api/cohorts/{id}", {}, noop());
  CHECK(r.match(Method::head, "/api/cohorts/1").route != nullptr);
  CHECK(r.match(Method::get, "/api/cohorts/").route == nullptr);
  CHECK(r.match(Method::get, "/api/cohorts/1/").route == nullptr);
  CHECK(r.match(Method::get, "api/cohorts/1").route == nullptr);
}
