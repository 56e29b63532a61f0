// Runs a coroutine to completion on a private io_context, for tests that need no sockets.
#pragma once

#include <future>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace hub::testing {

template <class T>
T run_coro(boost::asio::awaitable<T> coro) {
  boost::asio::io_context ioc;
  auto fut = boost::asio::co_spawn(ioc, std::move(coro), boost::asio::use_future);
  ioc.run();
  return fut.get();
}

// A fresh temporary directory, removed at scope exit.
struct TempDir {
  TempDir();
  ~TempDir();
  std::string path;
};

}  // namespace hub::testing
