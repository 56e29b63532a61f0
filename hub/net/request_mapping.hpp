// Between Beast's messages and the plain hub::http structs every handler sees.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>

#include "hub/http/error.hpp"
#include "hub/http/message.hpp"

namespace hub::net {

using wire_request_head = boost::beast::http::request<boost::beast::http::empty_body>;

// A response as it goes on the wire: the status line and header block, then the body. Written
// by hand because Beast's serializer costs more on the hot path (docs/benchmarks.md).
struct wire_response {
  std::string head;
  std::string body;
};

// Beast 1.74 uses boost::string_view.
inline std::string_view to_std(boost::beast::string_view s) { return {s.data(), s.size()}; }

// Fills `out` from a received header: method, target, decoded path, raw query, headers,
// keep_alive. Returns the 400 to send (and then close) when the request must be refused:
// a Transfer-Encoding other than exactly "chunked" (Beast 1.74 takes "chunked, gzip" as a
// request without a body), Transfer-Encoding next to Content-Length, no Host in HTTP/1.1 or two
// in any version, a target that is not an absolute path, or a bad percent escape in the path or
// in any query key or value.
std::optional<http::ApiError> map_request_head(const wire_request_head& head, http::Request& out);

// The wire form of `r`, with Content-Length and the Connection header set here (the service's
// own framing fields are dropped, as are empty names and fields holding CR or LF or over 60 KiB).
// For a `head_request` the body is left out but Content-Length still gives its length. A status
// outside 100..999 becomes 500.
wire_response to_wire(http::Response&& r, unsigned version, bool head_request, bool keep_alive);

}  // namespace hub::net
