// One HTTP/1.1 connection: reads requests in order, calls the service, writes the responses.
#pragma once

#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "hub/http/error.hpp"
#include "hub/http/service.hpp"
#include "hub/net/connection_deadline.hpp"
#include "hub/net/connection_slot.hpp"
#include "hub/net/key_counter.hpp"
#include "hub/net/request_mapping.hpp"
#include "hub/net/session.hpp"
#include "hub/net/streams.hpp"

namespace hub::net {

class shared_state;

// Serves an accepted connection, over TLS when `state` has a TLS context. A `refuse`d
// connection (over max_connections or its address's cap) only gets a 503 unavailable. The
// connection holds `address`, its client address's place, for its whole life.
void launch_http_session(boost::asio::ip::tcp::socket&& socket, const std::shared_ptr<shared_state>& state,
                         bool refuse, key_counter::claim address);

// Timeouts: idle_timeout until a request's first byte, then read_timeout for the whole request
// (one deadline, so trickled bytes do not extend it), and read_timeout for writing a response.
// A response is charged to the outbound budget while it is written; one that does not fit
// closes the connection unanswered.
template <class Stream>
class http_session : public session, public std::enable_shared_from_this<http_session<Stream>> {
 public:
  http_session(Stream&& stream, std::shared_ptr<shared_state> state, bool refuse, key_counter::claim address);
  ~http_session() override;
  void run();
  void stop() override;
  void force_close() override;

 private:
  static constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;
  enum class phase { idle, reading, handling, writing, closing, upgraded };
  using error_code = boost::system::error_code;

  void on_run();
  void on_handshake(const error_code& ec);
  void start();
  void do_await_request();
  void on_first_bytes(const error_code& ec, std::size_t n);
  void do_read_header();
  void on_read_header(const error_code& ec, std::size_t n);
  void on_read_error(const error_code& ec, const char* what);
  void on_header();
  void do_continue();
  void on_continue(const error_code& ec, std::size_t n);
  void do_read_body();
  void on_read_body(const error_code& ec, std::size_t n);
  void do_handle();
  void on_handled(std::exception_ptr e, http::Response r);
  void do_admit(http::WebSocketHandler& handler);
  void on_admitted(http::WebSocketHandler& handler, std::exception_ptr e, std::optional<http::Response> r);
  void reply_error(const http::ApiError& e);
  void do_write(http::Response&& r, bool close);
  void pay_back();
  void on_write(bool close, const error_code& ec, std::size_t n);
  void do_close();
  void do_linger();
  void on_linger(const error_code& ec, std::size_t n);
  boost::asio::ip::tcp::socket& tcp() { return boost::beast::get_lowest_layer(stream_); }
  void close_socket() {
    error_code ignored;
    tcp().close(ignored);
  }

  Stream stream_;                             // moved to the websocket_session on upgrade
  boost::asio::any_io_executor executor_;     // the connection's (serial) executor; every member below is used only on it
  boost::beast::flat_buffer buffer_;          // bytes read but not parsed yet (pipelined requests)
  std::shared_ptr<shared_state> state_;       // options, service, registry
  connection_deadline deadline_;              // the timeouts
  connection_slot slot_;                      // registered in on_run()
  key_counter::claim address_;                // the client address's place; moves to slot_ in on_run()
  std::size_t charged_ = 0;                   // bytes of response_ charged to the outbound budget
  std::optional<boost::beast::http::request_parser<boost::beast::http::empty_body>> header_parser_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> body_parser_;
  std::string remote_ip_;                     // the peer's address, without the port
  http::Request request_;                     // the request being read or handled
  wire_response response_;                    // the response being written
  unsigned version_ = 11;                     // HTTP version of request_
  bool head_request_ = false;                 // request_ is a HEAD
  bool keep_alive_ = true;                    // request_ allows another request after it
  phase phase_ = phase::idle;
  bool stopping_ = false;                     // stop() ran: close after the request in flight
  const bool refuse_;                         // only write a 503
  std::size_t lingered_ = 0;                  // bytes discarded while closing
};

extern template class http_session<plain_stream>;
extern template class http_session<tls_stream>;

}  // namespace hub::net
