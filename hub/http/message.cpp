#include "hub/http/message.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace hub::http {
namespace {

// ASCII only, as field names are; std::tolower is a locale-aware call per byte.
constexpr char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

Method parse_method(std::string_view name) {
  if (name == "GET") return Method::get;
  if (name == "HEAD") return Method::head;
  if (name == "POST") return Method::post;
  if (name == "PUT") return Method::put;
  if (name == "PATCH") return Method::patch;
  if (name == "DELETE") return Method::delete_;
  if (name == "OPTIONS") return Method::options;
  return Method::other;
}

std::string_view method_name(Method m) {
  switch (m) {
    case Method::get: return "GET";
    case Method::head: return "HEAD";
    case Method::post: return "POST";
    case Method::put: return "PUT";
    case Method::patch: return "PATCH";
    case Method::delete_: return "DELETE";
    case Method::options: return "OPTIONS";
    case Method::other: break;
  }
  return "OTHER";
}

Headers::Field Headers::field(std::size_t i) const {
  const Span& s = spans_[i];
  const std::string_view all(text_);
  return {all.substr(s.at, s.name_size), all.substr(s.at + s.name_size, s.value_size)};
}

std::string_view Headers::get(std::string_view name) const {
  for (std::size_t i = 0; i < spans_.size(); ++i)
    if (spans_[i].name_size == name.size()) {
      const Field f = field(i);
      if (iequals(f.name, name)) return f.value;
    }
  return {};
}

bool Headers::has(std::string_view name) const {
  for (const Field f : *this)
    if (iequals(f.name, name)) return true;
  return false;
}

void Headers::set(std::string_view name, std::string_view value) {
  // The replaced fields' bytes stay in text_ unreferenced: headers are small and short-lived.
  std::erase_if(spans_, [&](const Span& s) {
    return s.name_size == name.size() && iequals(std::string_view(text_).substr(s.at, s.name_size), name);
  });
  add(name, value);
}

void Headers::add(std::string_view name, std::string_view value) {
  // Beast caps a request's header at 8 KiB and responses are built here, so 4 GiB cannot be reached.
  spans_.push_back({static_cast<std::uint32_t>(text_.size()), static_cast<std::uint32_t>(name.size()),
                    static_cast<std::uint32_t>(value.size())});
  text_.append(name);
  text_.append(value);
}

void Headers::reserve(std::size_t fields, std::size_t bytes) {
  spans_.reserve(spans_.size() + fields);
  text_.reserve(text_.size() + bytes);
}

std::string_view Request::param(std::string_view name) const {
  for (const auto& p : params)
    if (p.name == name) return p.value;
  return {};
}

std::optional<std::int64_t> parse_id(std::string_view v) {
  std::int64_t id = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), id);
  if (ec != std::errc() || p != v.data() + v.size() || id <= 0) return std::nullopt;
  return id;
}

std::optional<std::int64_t> Request::id_param(std::string_view name) const { return parse_id(param(name)); }

std::string Request::query_param(std::string_view name) const {
  std::string_view q = query;
  while (!q.empty()) {
    auto amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    auto eq = pair.find('=');
    std::string key;
    if (!percent_decode(pair.substr(0, eq), key, true) || key != name) continue;
    std::string value;
    if (eq != std::string_view::npos && percent_decode(pair.substr(eq + 1), value, true)) return value;
    return {};
  }
  return {};
}

std::string_view Request::cookie(std::string_view name) const {
  std::string_view all = headers.get("Cookie");
  while (!all.empty()) {
    auto semi = all.find(';');
    std::string_view part = all.substr(0, semi);
    all = semi == std::string_view::npos ? std::string_view{} : all.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return part.substr(eq + 1);
  }
  return {};
}

bool percent_decode(std::string_view s, std::string& out, bool plus_is_space) {
  out.clear();
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return false;  // needs two hex digits after '%'
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return false;
    out.push_back(c);
  }
  return true;
}

}  // namespace hub::http
