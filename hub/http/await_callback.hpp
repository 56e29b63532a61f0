// Bridges work done on another thread back into a coroutine.
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace hub::http {

// co_await await_callback<R>(start): calls start(complete) at once; whoever calls complete(R), on
// any thread, resumes the coroutine on its own executor with that R.
// REQUIRES: complete is called exactly once.
template <class R, class Start>
boost::asio::awaitable<R> await_callback(Start start) {
  namespace asio = boost::asio;
  return asio::async_initiate<decltype(asio::use_awaitable), void(R)>(
      [start = std::move(start)](auto handler) mutable {
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        std::function<void(R)> complete = [h](R r) {
          auto ex = asio::get_associated_executor(*h);
          asio::post(ex, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
        };
        start(std::move(complete));
      },
      asio::use_awaitable);
}

}  // namespace hub::http
