#include <catch2/catch.hpp>

#include <vector>

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

TEST_CASE("message: header names are case-insensitive, set replaces, add appends") {
  Headers h;
  h.set("Content-Type", "a");
  h.set("content-type", "b");
  CHECK(h.get("CONTENT-TYPE") == "b");
  CHECK(h.size() == 1);
  h.add("Set-Cookie", "x");
  h.add("Set-Cookie", "y");
  CHECK(h.size() == 3);
}

TEST_CASE("message: headers keep arrival order and every byte through replacement and growth") {
  Headers h;
  CHECK(h.get("Host").empty());
  CHECK_FALSE(h.has("Host"));
  h.reserve(2, 8);  // smaller than what follows: the text must grow and move
  std::vector<std::pair<std::string, std::string>> expected;
  for (int i = 0; i < 40; ++i) {
    const std::string name = "X-Field-" + std::to_string(i);
    const std::string value(static_cast<std::size_t>(i * 7), static_cast<char>('a' + i % 26));
    h.add(name, value);
    expected.emplace_back(name, value);
  }
  h.set("x-field-3", "three");  // replaces one in the middle: it moves to the end
  expected.erase(expected.begin() + 3);
  expected.emplace_back("x-field-3", "three");
  h.add("Empty", "");
  expected.emplace_back("Empty", "");

  REQUIRE(h.size() == expected.size());
  std::size_t i = 0;
  for (const auto [name, value] : h) {
    CHECK(name == expected[i].first);
    CHECK(value == expected[i].second);
    ++i;
  }
  CHECK(h.get("X-FIELD-39") == std::string(273, 'n'));
  CHECK(h.get("X-Field-3") == "three");
  CHECK(h.has("empty"));
  CHECK(h.get("Empty").empty());
  CHECK_FALSE(h.has("X-Field"));  // a prefix of a name is not that name

  const Headers copy = h;  // a copy holds its own text
  h.set("X-Field-2", "changed");
  CHECK(h.get("X-Field-2") == "changed");
  CHECK(copy.get("X-Field-2") == std::string(14, 'c'));
}

TEST_CASE("message: iequals ignores ASCII case only") {
  CHECK(iequals("Content-Type", "content-TYPE"));
  CHECK(iequals("", ""));
  CHECK_FALSE(iequals("Content-Type", "Content-Typ"));
  CHECK_FALSE(iequals("a-b", "a_b"));
  CHECK_FALSE(iequals("\xc3\x89", "\xc3\xa9"));  // É and é: not ASCII, compared as bytes
}

TEST_CASE("message: id path parameters are positive integers only") {
  Request r;
  r.params = {{"id", "42"}, {"neg", "-1"}, {"zero", "0"}, {"junk", "4x"}, {"huge", "99999999999999999999"}};
  CHECK(r.id_param("id") == 42);
  for (auto name : {"neg", "zero", "junk", "huge", "absent"}) CHECK_FALSE(r.id_param(name).has_value());
}
