// A small pool of threads for CPU-heavy work (scrypt, rendering, wave computation) with a bounded
// queue: when it is full the caller gets 503 at once instead of unbounded memory.
#pragma once

#include <condition_variable>
#include <cstdio>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include "hub/http/await_callback.hpp"
#include "hub/http/error.hpp"

namespace hub::http {

class CpuPool {
 public:
  // `log` receives one JSON line per job that throws.
  CpuPool(int threads, std::size_t max_queue, std::FILE* log = stderr);
  ~CpuPool();  // stop()

  // Finishes queued work, then joins the threads; later jobs are refused (503). Idempotent.
  // Call it before the executors jobs complete on are destroyed.
  void stop();

  // Runs `work()` on a pool thread. A `work` that throws answers 500 `internal` and is logged;
  // the pool carries on. REQUIRES: `work` is copyable and returns Result<T>.
  // A named lvalue, like Executor::write's job, for the same g++ 12 reason.
  template <class Work>
  auto run(Work& work_ref) -> boost::asio::awaitable<std::invoke_result_t<Work&>> {
    using R = std::invoke_result_t<Work&>;
    return await_callback<R>([this, work = work_ref](std::function<void(R)> complete) mutable {
      bool queued = enqueue([this, work = std::move(work), complete]() mutable {
        std::optional<R> result;
        try {
          result.emplace(work());
        } catch (...) {
          log_exception(std::current_exception());
          result.emplace(ApiError::internal());
        }
        complete(std::move(*result));
      });
      if (!queued) complete(R(ApiError::unavailable("The hub is busy; try again in a moment.")));
    });
  }

  std::size_t queue_depth() const;

 private:
  bool enqueue(std::function<void()> task);
  void loop();
  void log_exception(std::exception_ptr thrown) const;

  const std::size_t max_queue_;
  std::FILE* const log_;                     // not owned
  mutable std::mutex mutex_;                 // guards tasks_ and stopping_
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;  // waiting work
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace hub::http
