// API errors and the Result type every domain and DB call returns.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include <nlohmann/json_fwd.hpp>

namespace hub::http {

struct Response;

// One of the error codes of API.md, with its HTTP status.
struct ApiError {
  int status = 400;
  std::string code;     // snake_case, from API.md's list
  std::string message;  // a human sentence
  std::string field;    // for invalid_field
  int retry_after_s = 0;  // for rate_limited, sent as Retry-After
  std::optional<std::string> extra;  // serialized JSON merged into the body (409 merges)

  static ApiError bad_request(std::string message);
  static ApiError invalid_field(std::string field, std::string message);
  static ApiError unauthenticated(std::string message = "Log in to continue.");
  static ApiError forbidden(std::string message = "You may not do that.");
  static ApiError not_found(std::string message = "No such resource.");
  static ApiError conflict(std::string message);
  static ApiError payload_too_large(std::string message);
  static ApiError rate_limited(int retry_after_s);
  static ApiError unavailable(std::string message);
  static ApiError internal(std::string message = "Internal error.");
};

Response error_response(const ApiError& e);

// Either a value or an ApiError. Small and explicit; no exceptions.
template <class T>
class Result {
 public:
  // Empty results exist only because asio's future adapters default-construct; they hold an error.
  Result() : v_(ApiError{500, "internal", "No result."}) {}
  Result(T value) : v_(std::move(value)) {}
  Result(ApiError error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& value() const& { return std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() { return std::get<0>(v_); }
  const T& operator*() const { return std::get<0>(v_); }
  const ApiError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, ApiError> v_;
};

struct Ok {};
using Status = Result<Ok>;

}  // namespace hub::http
