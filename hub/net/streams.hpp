// The two kinds of connection hub/net serves; sessions are templates over these.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace hub::net {

// A bare socket rather than Beast's tcp_stream: timeouts come from connection_deadline, and
// tcp_stream's per-operation bookkeeping showed in profiles of the request path.
using plain_stream = boost::asio::ip::tcp::socket;
using tls_stream = boost::beast::ssl_stream<boost::asio::ip::tcp::socket>;

}  // namespace hub::net
