// bench_ceiling_fanout [PORT]: the fastest a one-thread Beast WebSocket server fans out here.
// Every text frame a client sends goes to every connected client (itself included), as one shared
// immutable string with a write queue per session. Prints "listening on http://127.0.0.1:PORT".
#include <utility>

#include <cstdlib>
#include <deque>
#include <iostream>
#include <memory>
#include <set>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

class session : public std::enable_shared_from_this<session> {
 public:
  explicit session(tcp::socket socket) : ws_(std::move(socket)) {}
  websocket::stream<beast::tcp_stream>& ws() { return ws_; }
  void send(std::shared_ptr<const std::string> frame) {
    queue_.push_back(std::move(frame));
    if (queue_.size() == 1) do_write();
  }

 private:
  void do_write() {
    ws_.async_write(asio::buffer(*queue_.front()), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->queue_.pop_front();
      if (!ec && !self->queue_.empty()) self->do_write();
    });
  }
  websocket::stream<beast::tcp_stream> ws_;
  std::deque<std::shared_ptr<const std::string>> queue_;  // one write in flight, the rest waiting
};

std::set<std::shared_ptr<session>> sessions;  // one thread: no lock

asio::awaitable<void> serve(tcp::socket socket) {
  auto s = std::make_shared<session>(std::move(socket));
  beast::error_code ec;
  co_await s->ws().async_accept(asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  sessions.insert(s);
  beast::flat_buffer buffer;
  for (;;) {
    co_await s->ws().async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    auto frame = std::make_shared<const std::string>(beast::buffers_to_string(buffer.data()));
    buffer.consume(buffer.size());
    for (const auto& other : sessions) other->send(frame);
  }
  sessions.erase(s);
}

asio::awaitable<void> accept(tcp::acceptor& acceptor) {
  for (;;) {
    beast::error_code ec;
    auto socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) continue;
    socket.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const unsigned short port = argc > 1 ? static_cast<unsigned short>(std::atoi(argv[1])) : 0;
  asio::io_context ioc(1);
  tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), port});
  acceptor.listen(4096);
  std::cout << "listening on http://127.0.0.1:" << acceptor.local_endpoint().port() << std::endl;
  asio::co_spawn(ioc, accept(acceptor), asio::detached);
  ioc.run();
}
