// The two kinds of connection hub/net serves; sessions are templates over these.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace hub::net {

// A bare socket rather than Beast's tcp_stream: timeouts come from connection_deadline, which
// costs less per operation (docs/benchmarks.md).
using plain_stream = boost::asio::ip::tcp::socket;
using tls_stream = boost::beast::ssl_stream<boost::asio::ip::tcp::socket>;

}  // namespace hub::net
