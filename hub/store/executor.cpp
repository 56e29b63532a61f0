#include "hub/store/executor.hpp"

#include <algorithm>

#include <boost/asio/post.hpp>

#include <sqlite3.h>

namespace hub::store {

Executor::Executor(const std::string& path, const std::vector<Migration>& migrations, ExecutorOptions options)
    : options_(options) {
  writer_conn_ = Connection::open(path, false);
  migrate(*writer_conn_, migrations);
  for (int i = 0; i < options_.readers; ++i) reader_conns_.push_back(Connection::open(path, true));
  writer_thread_ = std::thread([this] { writer_loop(); });
  for (auto& conn : reader_conns_) reader_threads_.emplace_back([this, c = conn.get()] { reader_loop(*c); });
}

Executor::~Executor() { stop(); }

void Executor::stop() {
  if (stopped_.exchange(true)) return;
  for (Queue* q : {&writes_, &reads_}) {
    {
      std::lock_guard lock(q->mutex);
      q->stopping = true;
    }
    q->ready.notify_all();
  }
  if (writer_thread_.joinable()) writer_thread_.join();
  for (auto& t : reader_threads_)
    if (t.joinable()) t.join();
}

namespace {

// A busy thread takes what queues behind it as its next batch: waking a thread per job cost more
// than the jobs themselves. An idle reader is woken only when the queue reaches kSpillDepth, or
// when a job arrives while the running batch is older than kSlowBatch, so that a slow read does
// not hold up quick ones. Limit: a job that arrives in a slow batch's first millisecond, with no
// job after it, waits for that batch to end.
constexpr std::size_t kSpillDepth = 16;
constexpr auto kSlowBatch = std::chrono::milliseconds(1);

}  // namespace

bool Executor::enqueue(Queue& q, TaskPtr& task) {
  bool wake = false;
  {
    std::lock_guard lock(q.mutex);
    if (q.stopping || q.tasks.size() >= options_.max_queue) return false;
    q.tasks.push_back(std::move(task));
    // A thread already woken and not yet running will take this job too.
    wake = !q.waking && (q.busy == 0 || q.tasks.size() >= kSpillDepth ||
                         std::chrono::steady_clock::now() - q.batch_started >= kSlowBatch);
    if (wake) q.waking = true;
  }
  if (wake) q.ready.notify_one();
  return true;
}

void Executor::take_batch(Queue& q, std::size_t threads, std::vector<TaskPtr>& batch) {
  batch.clear();  // keeps its capacity: a fresh vector per batch was a large allocation per job
  std::unique_lock lock(q.mutex);
  q.ready.wait(lock, [&] { return q.stopping || !q.tasks.empty(); });
  q.waking = false;
  // This thread's share of what is queued; the rest stays for the others.
  const std::size_t share = std::min(options_.max_group, std::max<std::size_t>(1, q.tasks.size() / threads));
  while (!q.tasks.empty() && batch.size() < share) {
    batch.push_back(std::move(q.tasks.front()));
    q.tasks.pop_front();
  }
  if (batch.empty()) return;  // stopping, and drained
  ++q.busy;
  q.batch_started = std::chrono::steady_clock::now();
}

void Executor::end_batch(Queue& q) {
  std::lock_guard lock(q.mutex);
  --q.busy;
}

void Executor::complete_on(boost::asio::any_io_executor network) { network_ = std::move(network); }

void Executor::finish(std::vector<TaskPtr>& batch, bool committed) {
  std::vector<TaskPtr> on_network;
  if (network_) on_network.reserve(batch.size());
  for (auto& task : batch) {
    if (network_ && task->from_coroutine) on_network.push_back(std::move(task));
    else task->complete(committed);
  }
  batch.clear();  // the finished tasks and what they hold go now, not at the next batch
  if (on_network.empty()) return;
  // The handler must be copyable for any_io_executor, hence the shared_ptr around the batch.
  auto all = std::make_shared<std::vector<TaskPtr>>(std::move(on_network));
  boost::asio::post(*network_, [all, committed] {
    for (const auto& task : *all) task->complete(committed);
  });
}

std::size_t Executor::queue_depth() const {
  std::size_t n = 0;
  for (const Queue* q : {&writes_, &reads_}) {
    std::lock_guard lock(const_cast<std::mutex&>(q->mutex));
    n += q->tasks.size();
  }
  return n;
}

// Runs one job of a group inside its own savepoint. False when the group's transaction can no
// longer be trusted (a savepoint statement failed), so the whole group must roll back.
bool Executor::run_in_savepoint(Connection& c, Task& task) {
  if (!c.prepare("SAVEPOINT job").run()) return false;
  if (!task.run(c) && !c.prepare("ROLLBACK TO job").run()) return false;
  return c.prepare("RELEASE job").run().ok();
}

void Executor::writer_loop() {
  Connection& c = *writer_conn_;
  std::vector<TaskPtr> group;
  for (;;) {
    take_batch(writes_, 1, group);
    if (group.empty()) return;
    // Group commit: one transaction, one savepoint per job so a failing job rolls back alone.
    // The transaction statements come from the cache, compiled once.
    bool committed = c.prepare("BEGIN IMMEDIATE").run().ok();
    for (auto& task : group) {
      if (!committed) break;
      committed = run_in_savepoint(c, *task);
    }
    if (committed) committed = c.prepare("COMMIT").run().ok();
    // Each failure above was logged by storage_error; the group's callers get 503.
    if (!committed && !sqlite3_get_autocommit(c.raw())) (void)c.prepare("ROLLBACK").run();
    finish(group, committed);
    end_batch(writes_);
  }
}

void Executor::reader_loop(Connection& c) {
  std::vector<TaskPtr> batch;
  for (;;) {
    take_batch(reads_, reader_conns_.size(), batch);
    if (batch.empty()) return;
    // One read transaction for the batch: each job reads one consistent snapshot, and the batch
    // takes the WAL read lock once instead of once per statement. Every job was queued before
    // BEGIN, so each one sees every write acknowledged before it was submitted.
    const bool in_transaction = c.prepare("BEGIN").run().ok();
    for (auto& task : batch) task->run(c);
    // A failed COMMIT was logged; the read-only transaction only needs ending.
    if (in_transaction && !c.prepare("COMMIT").run().ok()) (void)c.prepare("ROLLBACK").run();
    finish(batch, true);
    end_batch(reads_);
  }
}

}  // namespace hub::store
