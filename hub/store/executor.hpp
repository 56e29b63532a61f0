// The DB executor: one writer thread with group commit, and reader threads. Handlers co_await it;
// no SQLite call ever runs on the network thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <cstdio>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "hub/http/error.hpp"
#include "hub/http/latency_histogram.hpp"

#include "hub/store/connection.hpp"
#include "hub/store/migrations.hpp"

namespace hub::store {

struct ExecutorOptions {
  int readers = 2;
  std::size_t max_queue = 10'000;     // jobs waiting per queue; beyond it callers get 503
  std::size_t max_group = 256;        // writes committed together
  // WAL pages after which a commit wakes the checkpointer thread. It checkpoints PASSIVE on its
  // own connection, so the writer does not copy the WAL into the database between its commits
  // (SQLite's autocheckpoint would, at 1,000 pages); past twice this, the writer finishes what
  // the thread's pass left, so that the WAL can restart. 0: SQLite's autocheckpoint.
  int checkpoint_pages = 1000;
};

// Where a write's time goes, by stage (/metrics; tests/bench/discussion_fanout.mjs reads them).
struct ExecutorTimings {
  http::LatencyHistogram write_wait;    // a write job queued -> its group's BEGIN
  http::LatencyHistogram write_group;   // a group's BEGIN -> its COMMIT returned
  http::LatencyHistogram commit;        // the COMMIT alone: the WAL fsync
  http::LatencyHistogram write_resume;  // a committed group handed to the network thread -> its callers resumed
  http::LatencyHistogram checkpoint;    // one PASSIVE checkpoint pass (the thread's, or the writer's past 2x)
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
  const ExecutorTimings& timings() const { return timings_; }
  // Stops taking jobs, finishes the queued ones and joins the threads. Idempotent.
  void stop();

 private:
  // A queued job: one allocation holding the job, its result and whoever waits for it.
  struct Task {
    virtual ~Task() = default;
    virtual bool run(Connection& c) = 0;           // false when the job's result is an error
    virtual void complete(bool committed) = 0;     // once, after run() (or without it when refused)
    bool from_coroutine = false;                   // complete() may run on the network thread
    std::chrono::steady_clock::time_point queued_at;  // set by enqueue()
  };
  using TaskPtr = std::unique_ptr<Task>;
  template <class Job, class Handler>
  class CoroutineTask;
  template <class Job>
  class BlockingTask;
  // Runs `job` into `out`; an exception becomes a 500. False when the result is an error.
  template <class Job, class R>
  static bool run_job(Job& job, Connection& c, std::optional<R>& out) {
    try {
      out.emplace(job(c));
    } catch (const std::exception&) {
      std::fprintf(stderr, "{\"level\":\"error\",\"what\":\"db job threw\"}\n");
      out.emplace(http::ApiError::internal());
    }
    return out->ok();
  }

  struct Queue {
    std::mutex mutex;                 // guards every member below
    std::condition_variable ready;
    std::deque<TaskPtr> tasks;
    bool stopping = false;
    int busy = 0;                     // threads running a batch taken from this queue
    bool waking = false;              // a thread has been notified and has not taken a batch yet
    std::chrono::steady_clock::time_point batch_started;  // when the latest batch began
  };

  template <class Job>
  auto submit(Job job, bool is_write) -> boost::asio::awaitable<std::invoke_result_t<Job&, Connection&>>;
  template <class Job>
  auto run_now(Job job, bool is_write) -> std::invoke_result_t<Job&, Connection&>;
  // Moves `task` into `q`; leaves it with the caller when the queue is full or stopping.
  bool enqueue(Queue& q, TaskPtr& task);
  // Waits for work, then moves this thread's share of `q` (one of `threads`) into `batch` and
  // counts the thread busy until end_batch(). `batch` is left empty when `q` is stopping and drained.
  void take_batch(Queue& q, std::size_t threads, std::vector<TaskPtr>& batch);
  void end_batch(Queue& q);
  // Calls every task's complete(), on the network thread for coroutine jobs when complete_on() ran;
  // `resumed` (if given) times the hand-over to it.
  void finish(std::vector<TaskPtr>& batch, bool committed, http::LatencyHistogram* resumed = nullptr);
  static bool run_in_savepoint(Connection& c, Task& task);
  void writer_loop();
  void reader_loop(Connection& conn);
  // SQLite's WAL hook on the writer: after each commit, with the pages now in the WAL.
  static int on_wal_commit(void* self, sqlite3* db, const char* name, int pages);
  void checkpoint_loop();

  const ExecutorOptions options_;
  std::unique_ptr<Connection> writer_conn_;             // used only by writer_thread_
  std::vector<std::unique_ptr<Connection>> reader_conns_;  // one per reader thread
  Queue writes_;
  Queue reads_;
  std::thread writer_thread_;
  std::vector<std::thread> reader_threads_;
  std::atomic<bool> stopped_{false};
  ExecutorTimings timings_;
  std::unique_ptr<Connection> checkpoint_conn_;  // used only by checkpoint_thread_; null when checkpoint_pages is 0
  // The writer's RESTART checkpoint (past 4 x checkpoint_pages): how long it waits for readers,
  // and, when they outlasted that, how long the writer then keeps to PASSIVE. Writer thread only.
  static constexpr int kRestartWaitMs = 100;
  static constexpr std::chrono::seconds kRestartPause{1};
  std::chrono::steady_clock::time_point restart_not_before_{};
  std::mutex checkpoint_mutex_;                  // guards the two flags below; held while a checkpoint runs
  std::condition_variable checkpoint_wanted_;
  bool checkpoint_due_ = false;                  // the WAL passed checkpoint_pages since the last checkpoint
  bool checkpoint_stopping_ = false;
  std::thread checkpoint_thread_;
  std::optional<boost::asio::any_io_executor> network_;  // set by complete_on() before any job
};

// Runs `job` and keeps its result; complete() resumes the coroutine with it.
template <class Job, class Handler>
class Executor::CoroutineTask final : public Executor::Task {
 public:
  using R = std::invoke_result_t<Job&, Connection&>;
  CoroutineTask(Job job, Handler handler) : job_(std::move(job)), handler_(std::move(handler)) {
    from_coroutine = true;
  }

  bool run(Connection& c) override { return run_job(job_, c, result_); }

  // On the network thread (the batch's post from finish()) this resumes the coroutine at once;
  // from a reader or writer thread, dispatch posts to the coroutine's executor.
  void complete(bool committed) override {
    if (!committed || !result_) result_.emplace(http::ApiError::unavailable("The database could not commit; try again."));
    resume(false);
  }

  // Called inside the initiating function, where the handler may not run: always posted.
  void refuse(http::ApiError why) {
    result_.emplace(std::move(why));
    resume(true);
  }

 private:
  void resume(bool must_post) {
    auto ex = boost::asio::get_associated_executor(handler_);
    auto resume_caller = [h = std::move(handler_), r = std::move(*result_)]() mutable { h(std::move(r)); };
    if (must_post) boost::asio::post(ex, std::move(resume_caller));
    else boost::asio::dispatch(ex, std::move(resume_caller));
  }

  Job job_;
  Handler handler_;
  std::optional<R> result_;
};

// For run_now(): the outcome lives on the calling thread's stack, which blocks until complete().
template <class Job>
class Executor::BlockingTask final : public Executor::Task {
 public:
  using R = std::invoke_result_t<Job&, Connection&>;
  struct Outcome {
    std::mutex mutex;  // guards done; result is written before done is set, and read after
    std::condition_variable cv;
    std::optional<R> result;
    bool done = false;
  };
  BlockingTask(Job job, Outcome& out) : job_(std::move(job)), out_(out) {}

  bool run(Connection& c) override { return run_job(job_, c, out_.result); }

  void complete(bool committed) override {
    std::lock_guard lock(out_.mutex);
    if (!committed || !out_.result) out_.result.emplace(http::ApiError::unavailable("The database could not commit."));
    out_.done = true;
    out_.cv.notify_one();
  }

 private:
  Job job_;
  Outcome& out_;
};

template <class Job>
auto Executor::submit(Job job, bool is_write) -> boost::asio::awaitable<std::invoke_result_t<Job&, Connection&>> {
  namespace asio = boost::asio;
  using R = std::invoke_result_t<Job&, Connection&>;
  return asio::async_initiate<decltype(asio::use_awaitable), void(R)>(
      [this, is_write, job = std::move(job)](auto handler) mutable {
        using T = CoroutineTask<Job, decltype(handler)>;
        auto owned = std::make_unique<T>(std::move(job), std::move(handler));
        T* task = owned.get();
        TaskPtr queued = std::move(owned);
        if (!enqueue(is_write ? writes_ : reads_, queued))
          task->refuse(http::ApiError::unavailable("The hub is overloaded; try again shortly."));
      },
      asio::use_awaitable);
}

template <class Job>
auto Executor::run_now(Job job, bool is_write) -> std::invoke_result_t<Job&, Connection&> {
  using R = std::invoke_result_t<Job&, Connection&>;
  typename BlockingTask<Job>::Outcome out;
  TaskPtr task = std::make_unique<BlockingTask<Job>>(std::move(job), out);
  if (!enqueue(is_write ? writes_ : reads_, task)) return R(http::ApiError::unavailable("The hub is stopping."));
  std::unique_lock lock(out.mutex);
  out.cv.wait(lock, [&] { return out.done; });
  return std::move(*out.result);
}

}  // namespace hub::store
