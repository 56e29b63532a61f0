#include <catch2/catch.hpp>

#include "hub/http/message.hpp"

using namespace hub::http;

TEST_CASE("message: percent decoding refuses bad escapes and NUL") {
  std::string out;
  CHECK(percent_decode("a%20b%2Fc", out, false));
  CHECK(out == "a b/c");
  CHECK(percent_decode("a+b", out, true));
  CHECK(out == "a b");
  CHECK_FALSE(percent_decode("%", out, false));
  CHECK_FALSE(percent_decode("%2", out, false));
  CHECK_FALSE(percent_decode("%zz", out, false));
  CHECK_FALSE(percent_decode("a%00b", out, false));
}

TEST_CASE("message: query parameters and cookies") {
  Request r;
  r.query = "limit=20&cursor=c1.a&q=rate+card%21";
  CHECK(r.query_param("limit") == "20");
  CHECK(r.query_param("q") == "rate card!");
  CHECK(r.query_param("missing").empty());
  r.headers.set("Cookie", "a=1; ch_session=xyz; b=2");
  CHECK(r.cookie("ch_session") == "xyz");
  CHECK(r.cookie("session").empty());
}

TEST_CASE("message: header names are case-insensitive; set replaces, add appends") {
  Headers h;
  h.set("Content-Type", "a");
  h.set("content-type", "b");
  CHECK(h.get("CONTENT-TYPE") == "b");
  CHECK(h.fields().size() == 1);
  h.add("Set-Cookie", "x");
  h.add("Set-Cookie", "y");
  CHECK(h.fields().size() == 3);
}

TEST_CASE("message: id path parameters are positive integers only") {
  Request r;
  r.params = {{"id", "42"}, {"neg", "-1"}, {"zero", "0"}, {"junk", "4x"}, {"huge", "99999999999999999999"}};
  CHECK(r.id_param("id") == 42);
  for (auto name : {"neg", "zero", "junk", "huge", "absent"}) CHECK_FALSE(r.id_param(name).has_value());
}
