#include "tests/unit/net/running_server.hpp"

#include <boost/asio/post.hpp>

namespace hub::net::test {

ServerOptions quick_options() {
  ServerOptions o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.read_timeout = std::chrono::seconds(1);
  o.idle_timeout = std::chrono::seconds(1);
  return o;
}

RunningServer::RunningServer(ServerOptions options) : work(ioc.get_executor()) {
  server.emplace(ioc, service, std::move(options));
  server->start();
  thread_ = std::thread([this] { ioc.run(); });
}

RunningServer::~RunningServer() {
  work.reset();
  ioc.stop();
  thread_.join();
  server.reset();
  service.live.forget_peers();
}

void RunningServer::shutdown(std::chrono::milliseconds deadline) {
  boost::asio::post(ioc, [this, deadline] {
    const auto io_thread = std::this_thread::get_id();
    server->shutdown(deadline, [this, io_thread] {
      done_on_io_thread = std::this_thread::get_id() == io_thread;
      ++done;
    });
  });
}

}  // namespace hub::net::test
