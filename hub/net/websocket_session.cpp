#include "hub/net/websocket_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "hub/net/fail.hpp"
#include "hub/net/shared_state.hpp"

namespace hub::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

namespace {

constexpr std::size_t kMaxReasonBytes = 123;  // RFC 6455: a close frame's payload is at most 125 bytes

// Runs a handler callback; a throw (a bug upstream) is logged instead of unwinding the io_context.
template <class F>
bool guarded(const char* what, F&& f) {
  try {
    f();
    return true;
  } catch (...) {
    fail(std::current_exception(), what);
    return false;
  }
}

websocket::close_reason make_reason(std::uint16_t code, std::string reason) {
  reason.resize(std::min(reason.size(), kMaxReasonBytes));
  return websocket::close_reason(static_cast<websocket::close_code>(code), reason);
}

}  // namespace

template <class Stream>
void launch_websocket_session(Stream&& stream, std::shared_ptr<shared_state> state, connection_slot&& slot,
                              http::WebSocketHandler& handler, http::Request&& upgrade,
                              upgrade_request&& wire_upgrade) {
  auto s = std::make_shared<websocket_session<Stream>>(std::move(stream), std::move(state), std::move(slot),
                                                       handler, std::move(upgrade));
  s->run(std::move(wire_upgrade));
}

template <class Stream>
websocket_session<Stream>::websocket_session(Stream&& stream, std::shared_ptr<shared_state> state,
                                             connection_slot&& slot, http::WebSocketHandler& handler,
                                             http::Request&& upgrade)
    : ws_(std::move(stream)),
      executor_(ws_.get_executor()),
      state_(std::move(state)),
      slot_(std::move(slot)),
      handler_(handler),
      upgrade_(std::move(upgrade)),
      id_(slot_.id()),
      queue_(state_->options().ws_queue_max_messages, state_->options().ws_queue_max_bytes, &state_->budget()) {}

template <class Stream>
websocket_session<Stream>::~websocket_session() = default;

template <class Stream>
void websocket_session<Stream>::run(upgrade_request&& wire_upgrade) {
  // REQUIRES: on the connection's executor (called from the http_session it replaces).
  slot_.rebind(this->weak_from_this());
  const auto& o = state_->options();
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.handshake_timeout = o.read_timeout;
  // Pings go out after half the idle time; a peer silent for the whole of it is dropped.
  timeouts.idle_timeout = o.ws_ping_interval.count() > 0 ? 2 * std::chrono::steady_clock::duration(o.ws_ping_interval)
                                                         : websocket::stream_base::none();
  timeouts.keep_alive_pings = true;
  ws_.set_option(timeouts);
  ws_.read_message_max(o.ws_read_message_max);
  ws_.async_accept(wire_upgrade, [self = this->shared_from_this()](const error_code& ec) { self->on_accept(ec); });
}

template <class Stream>
bool websocket_session<Stream>::send(std::shared_ptr<const std::string> text) {
  if (!text) return false;
  switch (queue_.push(std::move(text))) {
    case outbound_queue::push_result::queued:
      return true;
    case outbound_queue::push_result::wake_writer:
      // On the connection's own thread (a fan-out, a handler's reply) the write starts here, as a
      // bare fan-out server's does; from another thread it is posted there.
      asio::dispatch(executor_, [self = this->shared_from_this()] { self->do_write(); });
      return true;
    case outbound_queue::push_result::overflow:
      close(static_cast<std::uint16_t>(websocket::close_code::policy_error), "too slow: resync");
      return false;
    case outbound_queue::push_result::closed:
      break;
  }
  return false;
}

template <class Stream>
void websocket_session<Stream>::close(std::uint16_t code, std::string reason) {
  asio::post(executor_, [self = this->shared_from_this(), r = make_reason(code, std::move(reason))] {
    self->begin_close(r);
  });
}

template <class Stream>
void websocket_session<Stream>::stop() {
  asio::post(executor_, [self = this->shared_from_this()] {
    self->begin_close(websocket::close_reason(websocket::close_code::going_away));
  });
}

template <class Stream>
void websocket_session<Stream>::force_close() {
  asio::post(executor_, [self = this->shared_from_this()] {
    error_code ignored;
    beast::get_lowest_layer(self->ws_).close(ignored);
  });
}

template <class Stream>
void websocket_session<Stream>::on_accept(const error_code& ec) {
  if (ec) {
    fail(ec, "websocket accept");
    return finish();
  }
  open_ = true;
  ws_.text(true);
  if (pending_close_) {  // close() or stop() arrived during the handshake
    do_close(*std::exchange(pending_close_, std::nullopt));
  } else if (state_->stopping()) {
    begin_close(websocket::close_reason(websocket::close_code::going_away));
  } else {
    announced_ = true;
    if (!guarded("websocket on_open", [&] { handler_.on_open(this->shared_from_this(), upgrade_); }))
      begin_close(websocket::close_reason(websocket::close_code::internal_error));
  }
  do_read();
  do_write();
}

template <class Stream>
void websocket_session<Stream>::do_read() {
  ws_.async_read(buffer_, [self = this->shared_from_this()](const error_code& ec, std::size_t n) {
    self->on_read(ec, n);
  });
}

template <class Stream>
void websocket_session<Stream>::on_read(const error_code& ec, std::size_t) {
  if (ec) {
    fail(ec, "websocket read");
    return finish();
  }
  if (!closing_) {
    if (!ws_.got_text())
      begin_close(websocket::close_reason(websocket::close_code::unknown_data));  // 1003: text only
    else if (!guarded("websocket on_message", [&] {
               handler_.on_message(this->shared_from_this(), beast::buffers_to_string(buffer_.data()));
             }))
      begin_close(websocket::close_reason(websocket::close_code::internal_error));
  }
  buffer_.consume(buffer_.size());
  do_read();  // keeps going while closing: the peer's close frame arrives here
}

template <class Stream>
void websocket_session<Stream>::do_write() {
  if (!open_ || closing_ || in_flight_) return;
  in_flight_ = queue_.pop();
  if (!in_flight_) return;
  ws_.async_write(asio::buffer(*in_flight_), [self = this->shared_from_this()](const error_code& ec, std::size_t n) {
    self->on_write(ec, n);
  });
}

template <class Stream>
void websocket_session<Stream>::on_write(const error_code& ec, std::size_t) {
  in_flight_.reset();
  if (ec) return fail(ec, "websocket write");  // the read side ends the session
  if (pending_close_) return do_close(*std::exchange(pending_close_, std::nullopt));
  do_write();
}

template <class Stream>
void websocket_session<Stream>::begin_close(close_reason reason) {
  if (closing_ || finished_) return;
  closing_ = true;
  queue_.close();
  if (!open_ || in_flight_) {
    pending_close_ = std::move(reason);  // after the handshake, or after the write in flight
    return;
  }
  do_close(reason);
}

template <class Stream>
void websocket_session<Stream>::do_close(const close_reason& reason) {
  ws_.async_close(reason, [self = this->shared_from_this()](const error_code& ec) { fail(ec, "websocket close"); });
}

template <class Stream>
void websocket_session<Stream>::finish() {
  if (finished_) return;
  finished_ = true;
  closing_ = true;
  queue_.close();
  if (announced_) guarded("websocket on_close", [&] { handler_.on_close(this->shared_from_this()); });
  slot_ = connection_slot();  // leaves the registry now, even if the handler still holds the peer
}

template class websocket_session<plain_stream>;
template class websocket_session<tls_stream>;
template void launch_websocket_session(plain_stream&&, std::shared_ptr<shared_state>, connection_slot&&,
                                       http::WebSocketHandler&, http::Request&&, upgrade_request&&);
template void launch_websocket_session(tls_stream&&, std::shared_ptr<shared_state>, connection_slot&&,
                                       http::WebSocketHandler&, http::Request&&, upgrade_request&&);

}  // namespace hub::net
