// Plain HTTP request and response structs: what every handler sees instead of Beast.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hub::http {

enum class Method { get, head, post, put, patch, delete_, options, other };

Method parse_method(std::string_view name);
std::string_view method_name(Method m);

// Header fields in arrival order; names compare case-insensitively.
class Headers {
 public:
  // The first value of `name`, or empty.
  std::string_view get(std::string_view name) const;
  bool has(std::string_view name) const;
  // Replaces every field called `name` with one.
  void set(std::string name, std::string value);
  // Adds a field even if one of that name exists (Set-Cookie).
  void add(std::string name, std::string value);
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  std::size_t size() const { return fields_.size(); }
  void reserve(std::size_t n) { fields_.reserve(n); }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct PathParam {
  std::string name;
  std::string value;
};

struct Request {
  Method method = Method::get;
  std::string target;      // as received: path plus query
  std::string path;        // percent-decoded path, without the query
  std::string query;       // raw query string, without '?'
  Headers headers;
  std::string body;
  std::string remote_ip;   // never logged on privacy-sensitive routes
  bool tls = false;        // the connection is HTTPS
  bool keep_alive = true;
  std::string request_id;  // set by the pipeline
  std::vector<PathParam> params;  // set by the router from {name} segments

  std::string_view param(std::string_view name) const;
  // The path parameter `name` as a positive integer id, or nullopt.
  std::optional<std::int64_t> id_param(std::string_view name) const;
  // The decoded value of query parameter `name`, or empty.
  std::string query_param(std::string_view name) const;
  // The value of cookie `name`, or empty.
  std::string_view cookie(std::string_view name) const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  bool close = false;  // close the connection after writing
};

// `v` as a positive decimal integer id (no sign, no spaces), or nullopt.
std::optional<std::int64_t> parse_id(std::string_view v);

// Percent-decodes `s`; false if it holds a bad escape or a NUL.
bool percent_decode(std::string_view s, std::string& out, bool plus_is_space);

}  // namespace hub::http
