// The one place hub/net reports an I/O error.
#pragma once

#include <boost/system/error_code.hpp>

namespace hub::net {

// Logs `ec` with `what` to stderr, unless it is an expected end of a connection
// (eof, reset, cancellation, timeout, TLS truncation, WebSocket close).
void fail(const boost::system::error_code& ec, const char* what);

// True for the codes fail() stays quiet about.
bool is_expected_disconnect(const boost::system::error_code& ec);

}  // namespace hub::net
