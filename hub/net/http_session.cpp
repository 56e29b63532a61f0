#include "hub/net/http_session.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "hub/net/fail.hpp"
#include "hub/net/shared_state.hpp"
#include "hub/net/websocket_session.hpp"

namespace hub::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

constexpr std::size_t kReadSize = 8 * 1024;                  // one read while waiting for a request
constexpr std::size_t kLingerMax = 256 * 1024;               // unread bytes drained before closing
constexpr auto kLingerTimeout = std::chrono::seconds(1);     // ... for at most this long
constexpr auto kTlsCloseTimeout = std::chrono::seconds(2);   // TLS close_notify exchange
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

bool is_parse_error(const boost::system::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

}  // namespace

void launch_http_session(asio::ip::tcp::socket&& socket, const std::shared_ptr<shared_state>& state, bool refuse,
                         key_counter::claim address) {
  if (auto* tls = state->tls())
    std::make_shared<http_session<tls_stream>>(tls_stream(std::move(socket), *tls), state, refuse, std::move(address))
        ->run();
  else
    std::make_shared<http_session<plain_stream>>(std::move(socket), state, refuse, std::move(address))->run();
}

template <class Stream>
http_session<Stream>::http_session(Stream&& stream, std::shared_ptr<shared_state> state, bool refuse,
                                   key_counter::claim address)
    : stream_(std::move(stream)),
      executor_(stream_.get_executor()),
      state_(std::move(state)),
      deadline_(executor_, std::min(state_->options().read_timeout, state_->options().idle_timeout)),
      address_(std::move(address)),
      refuse_(refuse) {}

template <class Stream>
http_session<Stream>::~http_session() {
  pay_back();  // a write whose handler never ran (the io_context was destroyed first)
}

template <class Stream>
void http_session<Stream>::run() {
  // The accept handler ran on the listener's strand; continue on the connection's executor.
  asio::dispatch(executor_, [self = this->shared_from_this()] { self->on_run(); });
}

template <class Stream>
void http_session<Stream>::stop() {
  asio::post(executor_, [self = this->shared_from_this()] {
    self->stopping_ = true;
    if (self->phase_ == phase::idle) self->close_socket();  // nothing in flight: just close
  });
}

template <class Stream>
void http_session<Stream>::force_close() {
  asio::post(executor_, [self = this->shared_from_this()] {
    if (self->phase_ != phase::upgraded) self->close_socket();
  });
}

template <class Stream>
void http_session<Stream>::on_run() {
  slot_ = connection_slot(state_, this->weak_from_this(), !refuse_, std::move(address_));
  deadline_.start(this->weak_from_this(), [this] {
    if (phase_ != phase::upgraded) close_socket();  // pending operations end with operation_aborted
  });
  if (state_->stopping()) return;  // accepted just before the acceptor closed
  error_code ec;
  remote_ip_ = tcp().remote_endpoint(ec).address().to_string();
  if constexpr (is_tls) {
    deadline_.expires_after(state_->options().read_timeout);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = this->shared_from_this()](const error_code& e) { self->on_handshake(e); });
  } else {
    start();
  }
}

template <class Stream>
void http_session<Stream>::on_handshake(const error_code& ec) {
  if (ec) return fail(ec, "tls handshake");
  start();
}

template <class Stream>
void http_session<Stream>::start() {
  if (refuse_) return reply_error(http::ApiError::unavailable("The server is at its connection limit."));
  do_await_request();
}

template <class Stream>
void http_session<Stream>::do_await_request() {
  phase_ = phase::idle;
  if (stopping_) return do_close();
  deadline_.expires_after(state_->options().idle_timeout);
  stream_.async_read_some(buffer_.prepare(kReadSize),
                          [self = this->shared_from_this()](const error_code& ec, std::size_t n) {
                            self->on_first_bytes(ec, n);
                          });
}

template <class Stream>
void http_session<Stream>::on_first_bytes(const error_code& ec, std::size_t n) {
  if (ec) return fail(ec, "read");
  buffer_.commit(n);
  // One deadline for the whole request, from its first byte.
  deadline_.expires_after(state_->options().read_timeout);
  do_read_header();
}

template <class Stream>
void http_session<Stream>::do_read_header() {
  phase_ = phase::reading;
  header_parser_.emplace();
  header_parser_->header_limit(static_cast<std::uint32_t>(state_->options().header_limit));
  // Usually the whole header is buffered already: parse it here rather than in an async
  // operation that would complete through another trip round the io_context.
  error_code ec;
  while (buffer_.size() > 0 && !header_parser_->is_header_done()) {
    const auto used = header_parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec && ec != bhttp::error::need_more) return on_read_error(ec, "parse header");
    if (ec || used == 0) break;
  }
  if (header_parser_->is_header_done()) return on_header();
  bhttp::async_read_header(stream_, buffer_, *header_parser_,
                           [self = this->shared_from_this()](const error_code& ec, std::size_t n) {
                             self->on_read_header(ec, n);
                           });
}

template <class Stream>
void http_session<Stream>::on_read_header(const error_code& ec, std::size_t) {
  if (ec) return on_read_error(ec, "read header");
  on_header();
}

template <class Stream>
void http_session<Stream>::on_read_error(const error_code& ec, const char* what) {
  if (ec == bhttp::error::header_limit) {
    auto e = http::ApiError::payload_too_large("The request header is too large.");
    e.status = 431;
    return reply_error(e);
  }
  if (ec == bhttp::error::body_limit)
    return reply_error(http::ApiError::payload_too_large("The request body is too large."));
  if (is_parse_error(ec)) return reply_error(http::ApiError::bad_request("Malformed HTTP request."));
  fail(ec, what);  // the peer left or timed out: nobody to answer
}

template <class Stream>
void http_session<Stream>::on_header() {
  request_ = http::Request{.remote_ip = remote_ip_, .tls = is_tls};
  const auto& head = header_parser_->get();
  version_ = head.version();
  head_request_ = head.method() == bhttp::verb::head;
  if (auto e = map_request_head(head, request_)) return reply_error(*e);
  keep_alive_ = request_.keep_alive;

  if (beast::websocket::is_upgrade(head)) {
    auto* handler = state_->service().websocket(request_.path);
    if (!handler) return reply_error(http::ApiError::not_found("No WebSocket endpoint at this path."));
    if (!header_parser_->is_done()) return reply_error(http::ApiError::bad_request("An upgrade request has no body."));
    return do_admit(*handler);
  }

  if (header_parser_->is_done()) return do_handle();  // no body: no limit to look up
  const std::size_t limit = state_->service().body_limit(request_.method, request_.path);
  const auto declared = header_parser_->content_length();
  if (declared && *declared > limit)  // refuse before the client sends it (no 100 Continue)
    return reply_error(http::ApiError::payload_too_large("The request body is too large."));

  const bool expects_continue = version_ >= 11 && beast::iequals(head[bhttp::field::expect], "100-continue");
  body_parser_.emplace(std::move(*header_parser_));
  header_parser_.reset();
  body_parser_->body_limit(limit);
  if (expects_continue) return do_continue();
  do_read_body();
}

template <class Stream>
void http_session<Stream>::do_continue() {
  asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                    [self = this->shared_from_this()](const error_code& ec, std::size_t n) {
                      self->on_continue(ec, n);
                    });
}

template <class Stream>
void http_session<Stream>::on_continue(const error_code& ec, std::size_t) {
  if (ec) return fail(ec, "write 100-continue");
  do_read_body();
}

template <class Stream>
void http_session<Stream>::do_read_body() {
  bhttp::async_read(stream_, buffer_, *body_parser_,
                    [self = this->shared_from_this()](const error_code& ec, std::size_t n) {
                      self->on_read_body(ec, n);
                    });
}

template <class Stream>
void http_session<Stream>::on_read_body(const error_code& ec, std::size_t) {
  if (ec) return on_read_error(ec, "read body");
  request_.body = std::move(body_parser_->get().body());
  body_parser_.reset();
  do_handle();
}

template <class Stream>
void http_session<Stream>::do_handle() {
  phase_ = phase::handling;
  deadline_.expires_never();  // the handler's time is not the client's
  asio::co_spawn(executor_, state_->service().handle(std::move(request_)),
                 [self = this->shared_from_this()](std::exception_ptr e, http::Response r) {
                   self->on_handled(e, std::move(r));
                 });
}

template <class Stream>
void http_session<Stream>::on_handled(std::exception_ptr e, http::Response r) {
  if (e) {  // Service::handle promises not to throw
    fail(e, "service handler");
    r = http::error_response(http::ApiError::internal());
  }
  const bool close = r.close || !keep_alive_ || stopping_;
  do_write(std::move(r), close);
}

template <class Stream>
void http_session<Stream>::do_admit(http::WebSocketHandler& handler) {
  phase_ = phase::handling;
  deadline_.expires_never();
  asio::co_spawn(executor_, handler.admit(request_),
                 [self = this->shared_from_this(), &handler](std::exception_ptr e, std::optional<http::Response> r) {
                   self->on_admitted(handler, e, std::move(r));
                 });
}

template <class Stream>
void http_session<Stream>::on_admitted(http::WebSocketHandler& handler, std::exception_ptr e,
                                       std::optional<http::Response> r) {
  if (e) {
    fail(e, "websocket admit");
    r = http::error_response(http::ApiError::internal());
  }
  if (r) return do_write(std::move(*r), true);
  if (auto user = request_.param(kLiveUserParam); !user.empty()) {
    auto place = state_->live_per_user().try_claim(std::string(user));
    if (!place) return reply_error(http::ApiError::rate_limited(30));  // max_live_per_user sockets already open
    slot_.hold_user(std::move(place));
  }
  phase_ = phase::upgraded;
  deadline_.expires_never();
  launch_websocket_session(std::move(stream_), state_, std::move(slot_), handler, std::move(request_),
                           header_parser_->release());
}

template <class Stream>
void http_session<Stream>::reply_error(const http::ApiError& e) {
  head_request_ = false;
  do_write(http::error_response(e), true);
}

template <class Stream>
void http_session<Stream>::do_write(http::Response&& r, bool close) {
  phase_ = phase::writing;
  response_ = to_wire(std::move(r), version_, head_request_, !close);
  const std::size_t bytes = response_.head.size() + response_.body.size();
  if (!state_->budget().try_charge(bytes)) {
    response_ = {};
    return close_socket();  // max_outbound_bytes is spent on other clients: no unbounded memory
  }
  charged_ = bytes;
  deadline_.expires_after(state_->options().read_timeout);
  const std::array<asio::const_buffer, 2> buffers{asio::buffer(response_.head), asio::buffer(response_.body)};
  asio::async_write(stream_, buffers,
                    [self = this->shared_from_this(), close](const error_code& ec, std::size_t n) {
                      self->on_write(close, ec, n);
                    });
}

template <class Stream>
void http_session<Stream>::on_write(bool close, const error_code& ec, std::size_t) {
  pay_back();
  response_ = {};
  if (ec) return fail(ec, "write");
  if (close || stopping_) return do_close();
  if (buffer_.size() == 0) return do_await_request();
  // A pipelined request is already under way.
  deadline_.expires_after(state_->options().read_timeout);
  do_read_header();
}

template <class Stream>
void http_session<Stream>::pay_back() {
  state_->budget().release(std::exchange(charged_, 0));
}

template <class Stream>
void http_session<Stream>::do_close() {
  phase_ = phase::closing;
  if constexpr (is_tls) {
    deadline_.expires_after(kTlsCloseTimeout);
    stream_.async_shutdown([self = this->shared_from_this()](const error_code&) { self->close_socket(); });
  } else {
    // Half-close, then drain what the client still sends, so our last response is not lost to a
    // reset triggered by unread data.
    error_code ec;
    tcp().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    deadline_.expires_after(kLingerTimeout);
    do_linger();
  }
}

template <class Stream>
void http_session<Stream>::do_linger() {
  buffer_.clear();
  stream_.async_read_some(buffer_.prepare(kReadSize),
                          [self = this->shared_from_this()](const error_code& ec, std::size_t n) {
                            self->on_linger(ec, n);
                          });
}

template <class Stream>
void http_session<Stream>::on_linger(const error_code& ec, std::size_t n) {
  lingered_ += n;
  if (ec || lingered_ > kLingerMax) return close_socket();
  do_linger();
}

template class http_session<plain_stream>;
template class http_session<tls_stream>;

}  // namespace hub::net
