// Parsing request bodies and reading typed fields, with errors that name the field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hub/http/error.hpp"
#include "hub/http/message.hpp"

namespace hub::http {

// Deeper documents are refused: nlohmann's dump() recurses (PLATFORM.md).
inline constexpr int kMaxJsonDepth = 32;

// The body as a JSON object. Refuses non-JSON, invalid UTF-8, over-deep nesting and non-objects.
Result<nlohmann::json> parse_json_object(std::string_view body);

Response json_response(int status, const nlohmann::json& body);

// A response body already serialized. A DB job that returns this does the dump, and frees the
// document, on its reader thread, so the network thread only moves the bytes into the response.
struct JsonText {
  std::string text;
};
JsonText json_text(const nlohmann::json& body);
Result<JsonText> json_text(const Result<nlohmann::json>& body);
Response json_text_response(int status, JsonText body);
Response empty_response(int status);

// Field readers: a missing field is an error unless optional_* is used; a wrong type always is.
Result<std::string> string_field(const nlohmann::json& obj, const char* name, std::size_t min_len,
                                 std::size_t max_len);
Result<std::optional<std::string>> optional_string_field(const nlohmann::json& obj, const char* name,
                                                         std::size_t max_len);
Result<std::int64_t> int_field(const nlohmann::json& obj, const char* name, std::int64_t min, std::int64_t max);
Result<std::optional<std::int64_t>> optional_int_field(const nlohmann::json& obj, const char* name,
                                                       std::int64_t min, std::int64_t max);
Result<bool> bool_field(const nlohmann::json& obj, const char* name);

// Checks a YYYY-MM-DD calendar date.
bool is_valid_date(std::string_view s);

}  // namespace hub::http

// Inside a handler coroutine: binds `var` to a Result and responds with its error if it failed.
#define HUB_TRY(var, expr)  \
  auto var = (expr);        \
  if (!var) co_return ::hub::http::error_response(var.error())
