// The DB executor: one writer thread with group commit, and reader threads. Handlers co_await it;
// no SQLite call ever runs on the network thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <cstdio>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "hub/http/await_callback.hpp"

#include "hub/store/connection.hpp"
#include "hub/store/migrations.hpp"

namespace hub::store {

struct ExecutorOptions {
  int readers = 2;
  std::size_t max_queue = 10'000;     // jobs waiting per queue; beyond it callers get 503
  std::size_t max_group = 256;        // writes committed together
};

class Executor {
 public:
  // Opens the database (creating it), applies `migrations`, and starts the threads. Throws on failure.
  Executor(const std::string& path, const std::vector<Migration>& migrations, ExecutorOptions options = {});
  ~Executor();  // drains both queues, then joins

  // Runs `job(Connection&)` on the writer thread inside a savepoint of a group transaction, and
  // resumes the caller after COMMIT, so an acknowledged write is durable. `job` returns a Result;
  // an error result (or an exception) rolls back that job alone.
  // REQUIRES: `job` is copyable and returns hub::http::Result<T>.
  // `job` is a named lvalue on purpose: g++ 12 destroys a lambda written inside a co_await
  // expression twice (see docs/operations.md, "Compiler notes"), so call sites must name it first.
  template <class Job>
  auto write(Job& job) -> boost::asio::awaitable<std::invoke_result_t<Job&, Connection&>> {
    return submit<Job>(Job(job), true);
  }

  // Runs `job(Connection&)` on a reader connection (read-only).
  template <class Job>
  auto read(Job& job) -> boost::asio::awaitable<std::invoke_result_t<Job&, Connection&>> {
    return submit<Job>(Job(job), false);
  }

  // Blocking variants for start-up code and the command line (never on the network thread).
  template <class Job>
  auto write_now(Job job) -> std::invoke_result_t<Job&, Connection&> {
    return run_now<Job>(std::move(job), true);
  }
  template <class Job>
  auto read_now(Job job) -> std::invoke_result_t<Job&, Connection&> {
    return run_now<Job>(std::move(job), false);
  }

  // Hands the completions of coroutine jobs to `network` in one post per batch instead of one
  // cross-thread post per job (each took the scheduler's lock against the network thread). Call
  // before the first job; `network`'s context must outlive the executor's threads. Without it,
  // each job resumes its caller with a post of its own.
  void complete_on(boost::asio::any_io_executor network);

  std::size_t queue_depth() const;
  // Stops taking jobs, finishes the queued ones and joins the threads. Idempotent.
  void stop();

 private:
  struct Task {
    std::function<bool(Connection&)> run;  // returns false when the job's result is an error
    std::function<void(bool committed)> complete;
    bool from_coroutine = false;           // complete() may run on the network thread
  };
  struct Queue {
    std::mutex mutex;                 // guards every member below
    std::condition_variable ready;
    std::deque<Task> tasks;
    bool stopping = false;
    int busy = 0;                     // threads running a batch taken from this queue
    bool waking = false;              // a thread has been notified and has not taken a batch yet
    std::chrono::steady_clock::time_point batch_started;  // when the latest batch began
  };

  template <class Job>
  auto submit(Job job, bool is_write) -> boost::asio::awaitable<std::invoke_result_t<Job&, Connection&>>;
  template <class Job>
  auto run_now(Job job, bool is_write) -> std::invoke_result_t<Job&, Connection&>;
  bool enqueue(Queue& q, Task task);
  // Waits for work, then moves this thread's share of `q` (one of `threads`) into `batch` and
  // counts the thread busy until end_batch(). `batch` is left empty when `q` is stopping and drained.
  void take_batch(Queue& q, std::size_t threads, std::vector<Task>& batch);
  void end_batch(Queue& q);
  // Calls every task's complete(), on the network thread for coroutine jobs when complete_on() ran.
  void finish(std::vector<Task>& batch, bool committed);
  void writer_loop();
  void reader_loop(Connection& conn);

  const ExecutorOptions options_;
  std::unique_ptr<Connection> writer_conn_;             // used only by writer_thread_
  std::vector<std::unique_ptr<Connection>> reader_conns_;  // one per reader thread
  Queue writes_;
  Queue reads_;
  std::thread writer_thread_;
  std::vector<std::thread> reader_threads_;
  std::atomic<bool> stopped_{false};
  std::optional<boost::asio::any_io_executor> network_;  // set by complete_on() before any job
};

template <class Job>
auto Executor::submit(Job job, bool is_write) -> boost::asio::awaitable<std::invoke_result_t<Job&, Connection&>> {
  using R = std::invoke_result_t<Job&, Connection&>;
  return http::await_callback<R>([this, is_write, job = std::move(job)](std::function<void(R)> complete) mutable {
    auto result = std::make_shared<std::optional<R>>();
    Task task;
    task.run = [job = std::move(job), result](Connection& c) mutable {
      try {
        result->emplace(job(c));
      } catch (const std::exception&) {
        std::fprintf(stderr, "{\"level\":\"error\",\"what\":\"db job threw\"}\n");
        result->emplace(ApiError::internal());
      }
      return (*result)->ok();
    };
    task.from_coroutine = true;
    task.complete = [complete, result](bool committed) {
      if (!committed || !result->has_value()) complete(R(ApiError::unavailable("The database could not commit; try again.")));
      else complete(std::move(**result));
    };
    if (!enqueue(is_write ? writes_ : reads_, std::move(task)))
      complete(R(ApiError::unavailable("The hub is overloaded; try again shortly.")));
  });
}

template <class Job>
auto Executor::run_now(Job job, bool is_write) -> std::invoke_result_t<Job&, Connection&> {
  using R = std::invoke_result_t<Job&, Connection&>;
  std::mutex m;
  std::condition_variable cv;
  std::optional<R> out;
  bool done = false;
  Task task;
  task.run = [&](Connection& c) {
    try {
      out.emplace(job(c));
    } catch (const std::exception&) {
      out.emplace(ApiError::internal());
    }
    return out->ok();
  };
  task.complete = [&](bool committed) {
    std::lock_guard lock(m);
    if (!committed) {
      out.reset();
      out.emplace(ApiError::unavailable("The database could not commit."));
    }
    done = true;
    cv.notify_one();
  };
  if (!enqueue(is_write ? writes_ : reads_, std::move(task))) return R(ApiError::unavailable("The hub is stopping."));
  std::unique_lock lock(m);
  cv.wait(lock, [&] { return done; });
  return std::move(*out);
}

}  // namespace hub::store
