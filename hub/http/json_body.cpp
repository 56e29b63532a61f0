#include "hub/http/json_body.hpp"

#include <cstdio>

namespace hub::http {
namespace {

// Nesting depth of a JSON text, ignoring brackets inside strings.
int nesting_depth(std::string_view text) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

ApiError wrong_type(const char* name, const char* what) {
  return ApiError::invalid_field(name, std::string(name) + " must be " + what + ".");
}

}  // namespace

Result<nlohmann::json> parse_json_object(std::string_view body) {
  if (body.empty()) return ApiError::bad_request("The request body must be a JSON object.");
  if (nesting_depth(body) > kMaxJsonDepth) return ApiError::bad_request("The JSON document is nested too deeply.");
  auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return ApiError::bad_request("The request body is not valid JSON (or not UTF-8).");
  if (!doc.is_object()) return ApiError::bad_request("The request body must be a JSON object.");
  return doc;
}

Response json_response(int status, const nlohmann::json& body) { return json_text_response(status, json_text(body)); }

JsonText json_text(const nlohmann::json& body) {
  return {body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

Result<JsonText> json_text(const Result<nlohmann::json>& body) {
  if (!body) return body.error();
  return json_text(*body);
}

Response json_text_response(int status, JsonText body) {
  Response r;
  r.status = status;
  r.headers.reserve(10, 384);  // room for the pipeline's security headers: no reallocation there
  r.headers.add("Content-Type", "application/json; charset=utf-8");
  r.body = std::move(body.text);
  return r;
}

Response empty_response(int status) {
  Response r;
  r.status = status;
  return r;
}

Result<std::string> string_field(const nlohmann::json& obj, const char* name, std::size_t min_len,
                                 std::size_t max_len) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return ApiError::invalid_field(name, std::string(name) + " is required.");
  if (!it->is_string()) return wrong_type(name, "a string");
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() < min_len || s.size() > max_len)
    return ApiError::invalid_field(name, std::string(name) + " must be " + std::to_string(min_len) + " to " +
                                             std::to_string(max_len) + " bytes long.");
  return s;
}

Result<std::optional<std::string>> optional_string_field(const nlohmann::json& obj, const char* name,
                                                         std::size_t max_len) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return std::optional<std::string>{};
  auto s = string_field(obj, name, 0, max_len);
  if (!s) return s.error();
  return std::optional<std::string>(std::move(s).value());
}

Result<std::int64_t> int_field(const nlohmann::json& obj, const char* name, std::int64_t min, std::int64_t max) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return ApiError::invalid_field(name, std::string(name) + " is required.");
  if (!it->is_number_integer()) return wrong_type(name, "an integer");
  std::int64_t v = it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)
                       ? INT64_MAX
                       : it->get<std::int64_t>();
  if (v < min || v > max)
    return ApiError::invalid_field(name, std::string(name) + " must be between " + std::to_string(min) +
                                             " and " + std::to_string(max) + ".");
  return v;
}

Result<std::optional<std::int64_t>> optional_int_field(const nlohmann::json& obj, const char* name,
                                                       std::int64_t min, std::int64_t max) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return std::optional<std::int64_t>{};
  auto v = int_field(obj, name, min, max);
  if (!v) return v.error();
  return std::optional<std::int64_t>(*v);
}

Result<bool> bool_field(const nlohmann::json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return ApiError::invalid_field(name, std::string(name) + " is required.");
  if (!it->is_boolean()) return wrong_type(name, "true or false");
  return it->get<bool>();
}

bool is_valid_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  int y = std::stoi(std::string(s.substr(0, 4))), m = std::stoi(std::string(s.substr(5, 2))),
      d = std::stoi(std::string(s.substr(8, 2)));
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}

}  // namespace hub::http
