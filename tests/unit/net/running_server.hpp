// A hub::net::Server on 127.0.0.1:0 with a FakeService, run by one background io thread.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "hub/net/server.hpp"
#include "tests/unit/net/fake_service.hpp"

namespace hub::net::test {

// Short timeouts so the timeout tests take about a second.
ServerOptions quick_options();

class RunningServer {
 public:
  explicit RunningServer(ServerOptions options = quick_options());
  ~RunningServer();

  std::uint16_t port() const { return server->port(); }
  // Calls Server::shutdown on the io thread; `done` becomes true when it reports.
  void shutdown(std::chrono::milliseconds deadline);

  FakeService service;  // declared first: sessions destroyed with ioc still call it
  boost::asio::io_context ioc;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
  std::optional<Server> server;
  std::atomic<int> done{0};  // times shutdown's done ran
  std::atomic<bool> done_on_io_thread{false};

 private:
  std::thread thread_;
};

}  // namespace hub::net::test
