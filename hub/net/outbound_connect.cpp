#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "hub/net/outbound_connect.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "hub/net/tls_context.hpp"

namespace hub::net::outbound_detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;
using http::ClientError;
using http::ClientResponse;

void outbound_connection::close() {
  error_code ignored;
  lowest().socket().close(ignored);
}

ClientResponse failure(ClientError error, std::string message) {
  ClientResponse r;
  r.error = error;
  r.message = std::move(message);
  return r;
}

std::string host_header(const http::Url& u) {
  std::string host = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
  if (u.port != (u.tls ? 443 : 80)) host += ":" + std::to_string(u.port);
  return host;
}

asio::awaitable<ClientResponse> open_outbound(asio::any_io_executor executor, asio::ssl::context& tls,
                                              const http::Url& url, std::chrono::steady_clock::time_point deadline,
                                              connection_ptr& out) {
  error_code ec;
  asio::ip::tcp::resolver resolver(executor);
  // The resolver has no timeout of its own: a timer cancels it at the deadline.
  asio::steady_timer timer(executor, deadline);
  timer.async_wait([&resolver](const error_code& e) {
    if (!e) resolver.cancel();
  });
  const std::string service = std::to_string(url.port);  // named: no temporaries inside co_await (g++ 12)
  auto endpoints = co_await resolver.async_resolve(url.host, service,
                                                   asio::redirect_error(asio::use_awaitable, ec));
  timer.cancel();
  if (ec) {
    if (ec == asio::error::operation_aborted) co_return failure(ClientError::timeout, "resolving " + url.host + " timed out");
    co_return failure(ClientError::resolve, "cannot resolve " + url.host + ": " + ec.message());
  }
  auto c = std::make_unique<outbound_connection>();
  if (url.tls) c->secure = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(executor, tls);
  else c->plain = std::make_unique<beast::tcp_stream>(executor);
  c->lowest().expires_at(deadline);
  co_await c->lowest().async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    co_return failure(ec == beast::error::timeout ? ClientError::timeout : ClientError::connect,
                      "cannot connect to " + host_header(url) + ": " + ec.message());
  }
  if (url.tls) {
    SSL* ssl = c->secure->native_handle();
    if (!expect_peer_name(ssl, url.host)) co_return failure(ClientError::tls, "cannot set the host name to verify");
    co_await c->secure->async_handshake(asio::ssl::stream_base::client,
                                        asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      std::string why = ec.message();
      if (long v = SSL_get_verify_result(ssl); v != X509_V_OK) why = X509_verify_cert_error_string(v);
      co_return failure(ec == beast::error::timeout ? ClientError::timeout : ClientError::tls,
                        "TLS with " + host_header(url) + " failed: " + why);
    }
  }
  out = std::move(c);
  co_return ClientResponse{};
}

}  // namespace hub::net::outbound_detail
