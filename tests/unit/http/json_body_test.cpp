#include <catch2/catch.hpp>

#include "hub/http/json_body.hpp"

using namespace hub::http;

TEST_CASE("json body: malformed, non-object, invalid UTF-8 and deep nesting are bad requests") {
  for (std::string body : std::vector<std::string>{"", "{", "[1,2]", "\"text\"", "{\"a\":1}x", "{\"a\":\"\xff\"}"}) {
    auto r = parse_json_object(body);
    INFO(body);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().status == 400);
    CHECK(r.error().code == "bad_request");
  }
  std::string deep = std::string(40, '[') + std::string(40, ']');
  auto r = parse_json_object("{\"a\":" + deep + "}");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("nested") != std::string::npos);
}

TEST_CASE("json body: brackets inside strings do not count as nesting") {
  auto r = parse_json_object("{\"a\":\"" + std::string(100, '[') + "\"}");
  CHECK(r.ok());
}

TEST_CASE("json body: field readers name the field and check type and range") {
  auto doc = parse_json_object(R"({"name":"x","n":5,"big":1e3,"flag":true,"neg":-1,"huge":18446744073709551615})").value();
  CHECK(string_field(doc, "name", 1, 10).value() == "x");
  auto missing = string_field(doc, "nope", 1, 10);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == "invalid_field");
  CHECK(missing.error().field == "nope");
  CHECK(string_field(doc, "n", 1, 10).error().field == "n");
  CHECK(string_field(doc, "name", 2, 10).error().field == "name");
  CHECK(int_field(doc, "n", 0, 10).value() == 5);
  CHECK_FALSE(int_field(doc, "big", 0, 10000).ok());  // a float is not an integer
  CHECK_FALSE(int_field(doc, "neg", 0, 10).ok());
  CHECK_FALSE(int_field(doc, "huge", 0, INT64_MAX - 1).ok());
  CHECK(bool_field(doc, "flag").value());
  CHECK_FALSE(optional_int_field(doc, "absent", 0, 1).value().has_value());
}

TEST_CASE("json body: dates are real calendar dates") {
  CHECK(is_valid_date("2026-03-02"));
  CHECK(is_valid_date("2024-02-29"));
  CHECK_FALSE(is_valid_date("2025-02-29"));
  CHECK_FALSE(is_valid_date("2026-13-01"));
  CHECK_FALSE(is_valid_date("2026-3-2"));
  CHECK_FALSE(is_valid_date("2026-03-02T00"));
}

TEST_CASE("json body: error responses have exactly the API.md shape") {
  auto r = error_response(ApiError::invalid_field("handle", "Bad handle."));
  CHECK(r.status == 400);
  CHECK(r.headers.get("Content-Type") == "application/json; charset=utf-8");
  auto body = nlohmann::json::parse(r.body);
  CHECK(body == nlohmann::json{{"error", {{"code", "invalid_field"}, {"message", "Bad handle."}, {"field", "handle"}}}});
  auto limited = error_response(ApiError::rate_limited(7));
  CHECK(limited.status == 429);
  CHECK(limited.headers.get("Retry-After") == "7");
}

TEST_CASE("json body: text serialized ahead gives the same response as a document") {
  const nlohmann::json doc{{"handle", "sam"}, {"bad", "\xff"}, {"ids", {1, 2}}};
  const Response direct = json_response(200, doc);
  const Response ahead = json_text_response(200, json_text(doc));
  CHECK(ahead.body == direct.body);
  CHECK(ahead.body.find("\xef\xbf\xbd") != std::string::npos);  // invalid UTF-8 replaced, not thrown
  CHECK(ahead.headers.get("Content-Type") == direct.headers.get("Content-Type"));

  const Result<nlohmann::json> failed = ApiError::not_found("No such user.");
  const auto text = json_text(failed);
  REQUIRE_FALSE(text.ok());
  CHECK(text.error().status == 404);
}
