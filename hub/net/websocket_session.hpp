// One WebSocket connection: text frames in to the handler, a bounded queue of frames out.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "hub/http/service.hpp"
#include "hub/net/connection_slot.hpp"
#include "hub/net/outbound_queue.hpp"
#include "hub/net/session.hpp"
#include "hub/net/streams.hpp"

namespace hub::net {

class shared_state;

using upgrade_request = boost::beast::http::request<boost::beast::http::empty_body>;

// Takes over an HTTP connection whose upgrade `handler` admitted: completes the handshake,
// then serves it. Stream is plain_stream or tls_stream (see http_session.hpp).
template <class Stream>
void launch_websocket_session(Stream&& stream, std::shared_ptr<shared_state> state, connection_slot&& slot,
                              http::WebSocketHandler& handler, http::Request&& upgrade,
                              upgrade_request&& wire_upgrade);

template <class Stream>
class websocket_session : public session,
                          public http::WebSocketPeer,
                          public std::enable_shared_from_this<websocket_session<Stream>> {
 public:
  websocket_session(Stream&& stream, std::shared_ptr<shared_state> state, connection_slot&& slot,
                    http::WebSocketHandler& handler, http::Request&& upgrade);
  ~websocket_session() override;
  void run(upgrade_request&& wire_upgrade);

  // http::WebSocketPeer; any thread.
  bool send(std::shared_ptr<const std::string> text) override;
  void close(std::uint16_t code, std::string reason) override;
  std::uint64_t id() const override { return id_; }
  // session; any thread.
  void stop() override;
  void force_close() override;

 private:
  using error_code = boost::system::error_code;
  using close_reason = boost::beast::websocket::close_reason;

  void on_accept(const error_code& ec);
  void do_read();
  void on_read(const error_code& ec, std::size_t n);
  void do_write();
  void on_write(const error_code& ec, std::size_t n);
  void begin_close(close_reason reason);
  void do_close(const close_reason& reason);
  void finish();

  boost::beast::websocket::stream<Stream> ws_;
  boost::asio::any_io_executor executor_;   // the connection's (serial) executor; members below without a note are used only on it
  boost::beast::flat_buffer buffer_;        // the message being read
  std::shared_ptr<shared_state> state_;     // options and the registry
  connection_slot slot_;                    // released in finish(), even if the handler keeps a peer
  http::WebSocketHandler& handler_;         // outlives the server (the service owns it)
  http::Request upgrade_;                   // what admit() accepted, for on_open
  const std::uint64_t id_;                  // immutable: id() reads it from any thread
  outbound_queue queue_;                    // thread-safe itself: send() pushes from any thread
  std::shared_ptr<const std::string> in_flight_;  // the frame being written (one at a time)
  std::optional<close_reason> pending_close_;     // waits for the handshake or the write in flight
  bool open_ = false;       // the handshake completed
  bool announced_ = false;  // on_open ran, so on_close is owed
  bool closing_ = false;    // a close frame is sent or waiting
  bool finished_ = false;   // finish() ran
};

extern template class websocket_session<plain_stream>;
extern template class websocket_session<tls_stream>;

}  // namespace hub::net
