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

// Equal ignoring ASCII case, as header names and media types compare (no locale lookups).
bool iequals(std::string_view a, std::string_view b);
std::string_view method_name(Method m);

// Header fields in arrival order; names compare case-insensitively.
// Names and values live back to back in one string, so a request's or response's fields cost two
// allocations in all rather than up to two each. A view from get() or from iterating is valid until the
// next change to the headers.
class Headers {
 public:
  struct Field {
    std::string_view name;
    std::string_view value;
  };

  // The first value of `name`, or empty.
  std::string_view get(std::string_view name) const;
  bool has(std::string_view name) const;
  // Replaces every field called `name` with one.
  void set(std::string_view name, std::string_view value);
  // Adds a field even if one of that name exists (Set-Cookie).
  void add(std::string_view name, std::string_view value);
  std::size_t size() const { return spans_.size(); }
  // Room for `fields` more fields of `bytes` bytes in all.
  void reserve(std::size_t fields, std::size_t bytes);

  class Iterator {
   public:
    Iterator(const Headers& h, std::size_t i) : h_(&h), i_(i) {}
    Field operator*() const { return h_->field(i_); }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const Iterator& o) const { return i_ != o.i_; }

   private:
    const Headers* h_;
    std::size_t i_;
  };
  Iterator begin() const { return {*this, 0}; }
  Iterator end() const { return {*this, spans_.size()}; }

 private:
  struct Span {
    std::uint32_t at;          // where the name starts in text_
    std::uint32_t name_size;   // the value follows the name
    std::uint32_t value_size;
  };
  Field field(std::size_t i) const;

  std::string text_;
  std::vector<Span> spans_;
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
