// Accepts connections and hands each to an http_session.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace hub::net {

class shared_state;

// Refused connections (over max_connections or max_connections_per_ip) still get a 503 written;
// past this many more, new connections are dropped without one.
inline constexpr std::size_t kRefusalHeadroom = 1024;

class listener : public std::enable_shared_from_this<listener> {
 public:
  // Binds and listens at once; throws std::runtime_error on failure (start-up only).
  listener(boost::asio::io_context& ioc, std::shared_ptr<shared_state> state);

  std::uint16_t port() const { return port_; }
  void run();
  // Closes the acceptor: new connects are refused from now on. Any thread.
  void stop();

 private:
  void do_accept();
  void on_accept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);
  void on_backoff(const boost::system::error_code& ec);

  boost::asio::io_context& ioc_;           // whose executor each accepted socket runs on
  std::shared_ptr<shared_state> state_;    // options, service and the session registry
  boost::asio::ip::tcp::acceptor acceptor_;  // on its own strand; only touched there after run()
  boost::asio::steady_timer backoff_;      // pauses accepting after an error such as EMFILE
  std::uint16_t port_ = 0;                 // the bound port
};

}  // namespace hub::net
