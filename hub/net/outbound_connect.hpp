// Opening an outbound connection, shared by the HTTPS and WebSocket clients: resolve (bounded by a
// timer), connect, and for TLS a handshake that verifies the chain and the host name, with SNI.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "hub/http/client.hpp"

namespace hub::net {

// Named rather than anonymous: a coroutine frame holding these types would otherwise warn
// (-Wsubobject-linkage).
namespace outbound_detail {

// One connection to one scheme://host:port, plain or TLS, with the bytes read past the last response.
struct outbound_connection {
  std::unique_ptr<boost::beast::tcp_stream> plain;
  std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> secure;
  boost::beast::flat_buffer buffer;

  boost::beast::tcp_stream& lowest() { return secure ? boost::beast::get_lowest_layer(*secure) : *plain; }
  void close();
};
using connection_ptr = std::unique_ptr<outbound_connection>;

http::ClientResponse failure(http::ClientError error, std::string message);
// "host" or "host:port" (the port when not the scheme's default), IPv6 in brackets.
std::string host_header(const http::Url& u);

// Connects to `url` by `deadline`; `out` is the connection when the answer is ok(), else the
// answer says why. `tls` is used for https URLs.
boost::asio::awaitable<http::ClientResponse> open_outbound(boost::asio::any_io_executor executor,
                                                           boost::asio::ssl::context& tls, const http::Url& url,
                                                           std::chrono::steady_clock::time_point deadline,
                                                           connection_ptr& out);

}  // namespace outbound_detail
}  // namespace hub::net
