#include "hub/net/request_mapping.hpp"

#include <cstring>

#include <boost/beast/http/status.hpp>


namespace hub::net {

namespace bhttp = boost::beast::http;
using http::iequals;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Every response field passes through here, so it uses two vectorised memchr scans (measured in
// docs/benchmarks.md).
bool has_line_break(std::string_view s) {
  return std::memchr(s.data(), '\r', s.size()) != nullptr || std::memchr(s.data(), '\n', s.size()) != nullptr;
}

// Beast throws std::length_error for a field name or value near 64 KiB.
constexpr std::size_t kMaxFieldBytes = 60 * 1024;

bool is_sendable_field(std::string_view name, std::string_view value) {
  return !name.empty() && name.size() <= kMaxFieldBytes && value.size() <= kMaxFieldBytes &&
         !has_line_break(name) && !has_line_break(value);
}

bool is_framing_field(std::string_view name) {
  switch (name.size()) {  // most names differ in length from all three
    case 10: return iequals(name, "Connection");
    case 14: return iequals(name, "Content-Length");
    case 17: return iequals(name, "Transfer-Encoding");
    default: return false;
  }
}

std::optional<http::ApiError> check_framing(const wire_request_head& head) {
  std::size_t codings = 0;
  std::string_view coding;
  for (const auto& f : head) {
    if (f.name() != bhttp::field::transfer_encoding) continue;
    ++codings;
    coding = to_std(f.value());
  }
  if (codings == 0) return std::nullopt;
  if (head.count(bhttp::field::content_length) > 0)
    return http::ApiError::bad_request("A request may not carry both Content-Length and Transfer-Encoding.");
  if (codings > 1 || !iequals(trim(coding), "chunked"))
    return http::ApiError::bad_request("Unsupported Transfer-Encoding; only chunked is accepted.");
  return std::nullopt;
}

// True if every key and value of the raw query string decodes as Request::query_param() decodes
// them (which reads an undecodable value as absent).
bool query_decodes(std::string_view query) {
  std::string scratch;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    if (!http::percent_decode(pair.substr(0, eq), scratch, true)) return false;
    if (eq != std::string_view::npos && !http::percent_decode(pair.substr(eq + 1), scratch, true)) return false;
  }
  return true;
}

// RFC 9112 3.2: an HTTP/1.1 request without Host, or any request with two, gets 400. The
// same-origin check derives the expected Origin from Host, so it must be unambiguous.
std::optional<http::ApiError> check_host(const wire_request_head& head) {
  const auto hosts = head.count(bhttp::field::host);
  if (hosts > 1) return http::ApiError::bad_request("A request may carry only one Host header.");
  if (hosts == 0 && head.version() >= 11) return http::ApiError::bad_request("An HTTP/1.1 request needs a Host header.");
  return std::nullopt;
}

}  // namespace

std::optional<http::ApiError> map_request_head(const wire_request_head& head, http::Request& out) {
  if (auto e = check_framing(head)) return e;
  if (auto e = check_host(head)) return e;
  const std::string_view target = to_std(head.target());
  if (target.empty() || target.front() != '/')
    return http::ApiError::bad_request("The request target must be an absolute path.");
  const auto q = target.find('?');
  out.path.clear();
  if (!http::percent_decode(target.substr(0, q), out.path, false))
    return http::ApiError::bad_request("The request path holds a bad percent escape.");
  out.query = q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
  // Otherwise a route would read an undecodable parameter as absent and answer as if unfiltered.
  if (!query_decodes(out.query))
    return http::ApiError::bad_request("The query string holds a bad percent escape.");
  out.target = std::string(target);
  out.method = http::parse_method(to_std(head.method_string()));
  out.headers.reserve(8, 256);  // typical browser requests fit: one allocation each
  for (const auto& f : head) out.headers.add(to_std(f.name_string()), to_std(f.value()));
  out.keep_alive = head.keep_alive();
  return std::nullopt;
}

wire_response to_wire(http::Response&& r, unsigned version, bool head_request, bool keep_alive) {
  const int status = r.status >= 100 && r.status <= 999 ? r.status : 500;
  wire_response out;
  std::string& h = out.head;
  h.reserve(512);
  h += "HTTP/";
  h += static_cast<char>('0' + version / 10 % 10);
  h += '.';
  h += static_cast<char>('0' + version % 10);
  h += ' ';
  h += std::to_string(status);
  h += ' ';
  const auto reason = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  if (reason != "<unknown-status>") h.append(reason.data(), reason.size());
  h += "\r\n";

  std::string_view declared_length;
  for (const auto [name, value] : r.headers) {
    if (!is_sendable_field(name, value)) continue;
    if (is_framing_field(name)) {
      if (iequals(name, "Content-Length")) declared_length = value;
      continue;
    }
    h += name;
    h += ": ";
    h += value;
    h += "\r\n";
  }
  const bool bodyless = status < 200 || status == 204 || status == 304;
  if (!bodyless) {
    h += "Content-Length: ";
    // A HEAD handler may give no body but say how long GET's would be.
    if (head_request && r.body.empty() && !declared_length.empty() &&
        declared_length.find_first_not_of("0123456789") == std::string_view::npos)
      h += declared_length;
    else
      h += std::to_string(r.body.size());
    h += "\r\n";
    if (!head_request) out.body = std::move(r.body);
  }
  // HTTP/1.1 is persistent unless told otherwise; HTTP/1.0 only when told.
  if (version >= 11 && !keep_alive) h += "Connection: close\r\n";
  if (version < 11 && keep_alive) h += "Connection: keep-alive\r\n";
  h += "\r\n";
  return out;
}

}  // namespace hub::net
