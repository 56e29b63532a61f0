#include "hub/http/error.hpp"

#include <nlohmann/json.hpp>

#include "hub/http/json_body.hpp"
#include "hub/http/message.hpp"

namespace hub::http {

ApiError ApiError::bad_request(std::string m) { return {400, "bad_request", std::move(m)}; }
ApiError ApiError::invalid_field(std::string f, std::string m) { return {400, "invalid_field", std::move(m), std::move(f)}; }
ApiError ApiError::unauthenticated(std::string m) { return {401, "unauthenticated", std::move(m)}; }
ApiError ApiError::forbidden(std::string m) { return {403, "forbidden", std::move(m)}; }
ApiError ApiError::not_found(std::string m) { return {404, "not_found", std::move(m)}; }
ApiError ApiError::conflict(std::string m) { return {409, "conflict", std::move(m)}; }
ApiError ApiError::payload_too_large(std::string m) { return {413, "payload_too_large", std::move(m)}; }
ApiError ApiError::rate_limited(int retry_after_s) {
  ApiError e{429, "rate_limited", "Too many attempts; try again in " + std::to_string(retry_after_s) + " seconds."};
  e.retry_after_s = retry_after_s;
  return e;
}
ApiError ApiError::unavailable(std::string m) { return {503, "unavailable", std::move(m)}; }
ApiError ApiError::internal(std::string m) { return {500, "internal", std::move(m)}; }

Response error_response(const ApiError& e) {
  nlohmann::json err = {{"code", e.code}, {"message", e.message}};
  if (!e.field.empty()) err["field"] = e.field;
  nlohmann::json body = {{"error", std::move(err)}};
  if (e.extra) {
    auto extra = nlohmann::json::parse(*e.extra, nullptr, false);
    if (extra.is_object())
      for (auto& [k, v] : extra.items()) body[k] = v;
  }
  Response r = json_response(e.status, body);
  if (e.retry_after_s > 0) r.headers.set("Retry-After", std::to_string(e.retry_after_s));
  return r;
}

}  // namespace hub::http
