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
  if (options_.checkpoint_pages > 0) {
    // A hook of our own replaces SQLite's autocheckpoint on the writer's commits: it asks the
  // checkpointer thread at checkpoint_pages, and finishes the checkpoint itself at twice that.
    checkpoint_conn_ = Connection::open(path, false);
    sqlite3_wal_hook(writer_conn_->raw(), &Executor::on_wal_commit, this);
    // A reader inside a long transaction can keep the WAL from restarting, and it grows meanwhile;
    // the file would keep that size for good. At the restart after, it is cut back to four times
    // the checkpoint mark (16 MB at the default), so a busy hour does not cost disk forever.
    const std::int64_t limit = 4LL * options_.checkpoint_pages * 4096;
    if (!writer_conn_->prepare("PRAGMA journal_size_limit = " + std::to_string(limit)).step())
      throw std::runtime_error("cannot set journal_size_limit");
    checkpoint_thread_ = std::thread([this] { checkpoint_loop(); });
  }
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
  {
    std::lock_guard lock(checkpoint_mutex_);
    checkpoint_stopping_ = true;
  }
  checkpoint_wanted_.notify_all();
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
}

int Executor::on_wal_commit(void* self, sqlite3* db, const char*, int pages) {
  auto& e = *static_cast<Executor*>(self);
  if (pages < e.options_.checkpoint_pages) return SQLITE_OK;
  if (pages >= 2 * e.options_.checkpoint_pages) {
    // Under steady writes a background pass may never catch the WAL's end (a commit lands while
    // it syncs), so the WAL would never be complete at a BEGIN and never restarted. Past twice
    // the mark the writer waits for a pass in progress and finishes the checkpoint itself,
    // between two transactions, as SQLite's autocheckpoint would: only the frames left since,
    // so the next transaction can restart the WAL. (A reader inside a transaction at that BEGIN
    // still prevents the restart, with SQLite's autocheckpoint too: docs/benchmarks.md, soak.)
    // Past four times, readers that never pause (each always inside a transaction of an older
    // snapshot) can keep even that from completing: RESTART waits, within the busy timeout, for
    // them to move to the newest snapshot, so the next write restarts the WAL (and
    // journal_size_limit cuts the file back). Rare: new readers go on meanwhile, new writes wait.
    // Its wait is short (kRestartWaitMs, not the busy timeout): a reader that stays longer (a
    // backup's VACUUM INTO, a long export) must not hold every write group up; after a RESTART
    // that could not finish, the writer goes back to PASSIVE for kRestartPause.
    const auto started = std::chrono::steady_clock::now();
    const bool restart = pages >= 4 * e.options_.checkpoint_pages && started >= e.restart_not_before_;
    std::lock_guard lock(e.checkpoint_mutex_);  // held by the checkpointer while it runs
    int wal_pages = 0, copied = 0;
    if (restart) sqlite3_busy_timeout(db, kRestartWaitMs);
    const int rc = sqlite3_wal_checkpoint_v2(db, nullptr, restart ? SQLITE_CHECKPOINT_RESTART : SQLITE_CHECKPOINT_PASSIVE,
                                             &wal_pages, &copied);
    if (restart) {
      sqlite3_busy_timeout(db, kBusyTimeoutMs);
      if (rc == SQLITE_BUSY) e.restart_not_before_ = std::chrono::steady_clock::now() + kRestartPause;
    }
    e.timings_.checkpoint.observe_since(started);
    return SQLITE_OK;
  }
  // Never waits: while a pass runs the lock is taken, and a later commit asks again.
  std::unique_lock lock(e.checkpoint_mutex_, std::try_to_lock);
  if (!lock.owns_lock() || e.checkpoint_due_) return SQLITE_OK;
  e.checkpoint_due_ = true;
  lock.unlock();
  e.checkpoint_wanted_.notify_one();
  return SQLITE_OK;
}

void Executor::checkpoint_loop() {
  std::unique_lock lock(checkpoint_mutex_);  // released only while waiting: a pass runs holding it
  for (;;) {
    checkpoint_wanted_.wait(lock, [&] { return checkpoint_due_ || checkpoint_stopping_; });
    if (!checkpoint_due_) return;  // stopping; a checkpoint asked for before stop() still runs
    checkpoint_due_ = false;
    // PASSIVE: copies what no reader still needs and never takes the writer's lock, so commits go
    // on meanwhile. Every commit's WAL frames were already synced (synchronous=FULL); the
    // checkpoint syncs the WAL and then the database file before the WAL is reused.
    const auto started = std::chrono::steady_clock::now();
    int wal_pages = 0, copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(checkpoint_conn_->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_pages,
                                             &copied);
    timings_.checkpoint.observe_since(started);
    // Busy: the writer is finishing one; it needs no second pass.
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) (void)storage_error(checkpoint_conn_->raw(), rc, "wal_checkpoint");
  }
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
    task->queued_at = std::chrono::steady_clock::now();
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

void Executor::finish(std::vector<TaskPtr>& batch, bool committed, http::LatencyHistogram* resumed) {
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
  boost::asio::post(*network_, [all, committed, resumed, posted = std::chrono::steady_clock::now()] {
    if (resumed) resumed->observe_since(posted);
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
    const auto began = std::chrono::steady_clock::now();
    for (const auto& task : group) timings_.write_wait.observe(began - task->queued_at);
    bool committed = c.prepare("BEGIN IMMEDIATE").run().ok();
    for (auto& task : group) {
      if (!committed) break;
      committed = run_in_savepoint(c, *task);
    }
    if (committed) {
      const auto commit_began = std::chrono::steady_clock::now();
      committed = c.prepare("COMMIT").run().ok();
      timings_.commit.observe_since(commit_began);
    }
    timings_.write_group.observe_since(began);
    // Each failure above was logged by storage_error; the group's callers get 503.
    if (!committed && !sqlite3_get_autocommit(c.raw())) (void)c.prepare("ROLLBACK").run();
    finish(group, committed, &timings_.write_resume);
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
