// The one place hub/net reports an I/O error.
#pragma once

#include <exception>

#include <boost/system/error_code.hpp>

namespace hub::net {

// Logs `ec` with `what` to stderr as one JSON line (log.hpp), unless it is an expected end of a connection
// (eof, reset, cancellation, timeout, a failed TLS handshake, a WebSocket protocol error).
void fail(const boost::system::error_code& ec, const char* what);

// Logs an exception that escaped a handler (a bug upstream; the connection carries on or closes).
void fail(const std::exception_ptr& e, const char* what);

// True for the codes fail() stays quiet about.
bool is_expected_disconnect(const boost::system::error_code& ec);

}  // namespace hub::net
