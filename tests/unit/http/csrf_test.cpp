#include <catch2/catch.hpp>

#include "hub/http/pipeline.hpp"

using namespace hub::http;

namespace {
Request post_from(std::string origin) {
  Request r;
  r.method = Method::post;
  r.headers.set("Host", "hub.example:8080");
  r.headers.set("Content-Type", "application/json");
  if (!origin.empty()) r.headers.set("Origin", std::move(origin));
  return r;
}
}  // namespace

TEST_CASE("csrf: a same-origin POST with JSON passes") {
  CHECK(check_csrf(post_from("http://hub.example:8080"), "").ok());
}

TEST_CASE("csrf: a cross-site Origin is refused with 403") {
  auto s = check_csrf(post_from("http://evil.example"), "");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().status == 403);
}

TEST_CASE("csrf: no Origin is refused unless Sec-Fetch-Site says same-origin") {
  auto r = post_from("");
  CHECK_FALSE(check_csrf(r, "").ok());
  r.headers.set("Sec-Fetch-Site", "cross-site");
  CHECK_FALSE(check_csrf(r, "").ok());
  r.headers.set("Sec-Fetch-Site", "same-origin");
  CHECK(check_csrf(r, "").ok());
}

TEST_CASE("csrf: a form content type is refused (a cross-site form cannot send JSON)") {
  auto r = post_from("http://hub.example:8080");
  r.headers.set("Content-Type", "application/x-www-form-urlencoded");
  CHECK(check_csrf(r, "").error().status == 400);
  r.headers.set("Content-Type", "text/plain");
  CHECK_FALSE(check_csrf(r, "").ok());
  r.headers.set("Content-Type", "Application/JSON; charset=utf-8");
  CHECK(check_csrf(r, "").ok());
}

TEST_CASE("csrf: the configured public origin is accepted behind a proxy, GET is never checked") {
  auto r = post_from("https://hub.example.org");
  CHECK_FALSE(check_csrf(r, "").ok());
  CHECK(check_csrf(r, "https://hub.example.org").ok());
  Request get;
  get.method = Method::get;
  CHECK(check_csrf(get, "").ok());
}

TEST_CASE("csrf: under TLS the expected origin is https") {
  auto r = post_from("http://hub.example:8080");
  r.tls = true;
  CHECK_FALSE(check_csrf(r, "").ok());
  r.headers.set("Origin", "https://hub.example:8080");
  CHECK(check_csrf(r, "").ok());
}
