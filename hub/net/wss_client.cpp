#include <utility>  // before asio's awaitable.hpp, which forgets it (PLATFORM.md)

#include "hub/net/wss_client.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "hub/net/outbound_connect.hpp"
#include "hub/net/tls_context.hpp"

namespace hub::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using boost::system::error_code;
using http::ClientError;

namespace outbound_detail {

// One open WebSocket over `Next` (a tcp_stream or an ssl_stream of one).
template <class Next>
class wss_connection final : public http::WebSocketConnection {
 public:
  wss_connection(Next&& next, std::shared_ptr<asio::ssl::context> tls)
      : tls_(std::move(tls)), ws_(std::move(next)) {}

  websocket::stream<Next>& stream() { return ws_; }

  asio::awaitable<std::optional<std::string>> read() override {
    beast::flat_buffer buffer;
    error_code ec;
    co_await ws_.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      note_end(ec);
      co_return std::nullopt;
    }
    co_return beast::buffers_to_string(buffer.data());
  }

  asio::awaitable<bool> write(std::string text) override {
    error_code ec;
    ws_.text(true);
    co_await ws_.async_write(asio::buffer(text), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) note_end(ec);
    co_return !ec;
  }

  void abort() override {
    aborted_ = true;
    error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

  std::string ended() const override { return ended_; }

 private:
  void note_end(const error_code& ec) {
    if (!ended_.empty()) return;
    if (aborted_) ended_ = "closed by the hub";
    else if (ec == websocket::error::closed)
    {
      const auto& why = ws_.reason();
      ended_ = "closed by the server (" + std::to_string(why.code) + " " + std::string(why.reason.data(), why.reason.size()) + ")";
    }
    else if (ec == beast::error::timeout) ended_ = "silent past the idle timeout";
    else if (ec == websocket::error::message_too_big) ended_ = "a message over the size limit";
    else ended_ = ec.message();
  }

  const std::shared_ptr<asio::ssl::context> tls_;  // declared first: the stream's SSL uses it
  websocket::stream<Next> ws_;
  bool aborted_ = false;  // abort() ran: the error that follows is ours
  std::string ended_;     // why the connection ended, once it has
};

// Upgrades `next` to a WebSocket at `url` by `deadline`.
template <class Next>
asio::awaitable<http::WebSocketOpen> upgrade(Next&& next, std::shared_ptr<asio::ssl::context> tls,
                                             const http::Url& url, const http::WebSocketRequest& request,
                                             std::chrono::steady_clock::time_point deadline,
                                             const std::string& user_agent) {
  auto c = std::make_unique<wss_connection<Next>>(std::move(next), std::move(tls));
  auto& ws = c->stream();
  // The WebSocket keeps its own timeouts from here on (Beast: the tcp_stream's must be off).
  beast::get_lowest_layer(ws).expires_never();
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = std::max<std::chrono::steady_clock::duration>(
      deadline - std::chrono::steady_clock::now(), std::chrono::milliseconds(1));
  timeouts.idle_timeout = request.idle_timeout;
  timeouts.keep_alive_pings = true;
  ws.set_option(timeouts);
  ws.set_option(websocket::stream_base::decorator(
      [user_agent](websocket::request_type& r) { r.set(beast::http::field::user_agent, user_agent); }));
  ws.read_message_max(request.max_message_bytes);
  error_code ec;
  const std::string host = host_header(url);  // named: no temporaries inside co_await (g++ 12)
  co_await ws.async_handshake(host, url.target, asio::redirect_error(asio::use_awaitable, ec));
  http::WebSocketOpen open;
  if (ec) {
    open.error = ec == beast::error::timeout ? ClientError::timeout : ClientError::protocol;
    open.message = "WebSocket upgrade with " + host + " failed: " + ec.message();
    co_return open;
  }
  open.connection = std::move(c);
  co_return open;
}

}  // namespace outbound_detail

using namespace outbound_detail;

WssClient::WssClient(asio::any_io_executor executor, WssClientOptions options)
    : executor_(std::move(executor)), options_(std::move(options)), tls_(make_client_tls_context(options_.ca_file)) {}

asio::awaitable<http::WebSocketOpen> WssClient::connect(http::WebSocketRequest request) {
  http::WebSocketOpen open;
  const auto deadline = std::chrono::steady_clock::now() + request.timeout;
  // ws and wss are http and https with another name (RFC 6455 section 3).
  std::string as_http = request.url;
  if (as_http.rfind("ws://", 0) == 0) as_http = "http://" + as_http.substr(5);
  else if (as_http.rfind("wss://", 0) == 0) as_http = "https://" + as_http.substr(6);
  else as_http.clear();
  auto url = http::parse_url(as_http);
  if (!url) {
    open.error = ClientError::bad_url;
    open.message = "not an absolute ws(s) URL";
    co_return open;
  }
  connection_ptr c;
  auto opened = co_await open_outbound(executor_, *tls_, *url, deadline, c);
  if (!opened.ok()) {
    open.error = opened.error;
    open.message = std::move(opened.message);
    co_return open;
  }
  if (c->secure) co_return co_await upgrade(std::move(*c->secure), tls_, *url, request, deadline, options_.user_agent);
  co_return co_await upgrade(std::move(*c->plain), tls_, *url, request, deadline, options_.user_agent);
}

}  // namespace hub::net
