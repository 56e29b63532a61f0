#include "hub/store/executor.hpp"

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

bool Executor::enqueue(Queue& q, Task task) {
  {
    std::lock_guard lock(q.mutex);
    if (q.stopping || q.tasks.size() >= options_.max_queue) return false;
    q.tasks.push_back(std::move(task));
  }
  q.ready.notify_one();
  return true;
}

std::size_t Executor::queue_depth() const {
  std::size_t n = 0;
  for (const Queue* q : {&writes_, &reads_}) {
    std::lock_guard lock(const_cast<std::mutex&>(q->mutex));
    n += q->tasks.size();
  }
  return n;
}

void Executor::writer_loop() {
  Connection& c = *writer_conn_;
  std::vector<Task> group;
  for (;;) {
    {
      std::unique_lock lock(writes_.mutex);
      writes_.ready.wait(lock, [&] { return writes_.stopping || !writes_.tasks.empty(); });
      if (writes_.tasks.empty()) return;  // stopping, and drained
      while (!writes_.tasks.empty() && group.size() < options_.max_group) {
        group.push_back(std::move(writes_.tasks.front()));
        writes_.tasks.pop_front();
      }
    }
    // Group commit: one transaction, one savepoint per job so a failing job rolls back alone.
    bool committed = c.exec("BEGIN IMMEDIATE").ok();
    if (committed) {
      for (auto& task : group) {
        c.exec("SAVEPOINT job");
        if (!task.run(c)) c.exec("ROLLBACK TO job");
        c.exec("RELEASE job");
      }
      committed = c.exec("COMMIT").ok();
      if (!committed) c.exec("ROLLBACK");
    }
    for (auto& task : group) task.complete(committed);
    group.clear();
  }
}

void Executor::reader_loop(Connection& c) {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(reads_.mutex);
      reads_.ready.wait(lock, [&] { return reads_.stopping || !reads_.tasks.empty(); });
      if (reads_.tasks.empty()) return;
      task = std::move(reads_.tasks.front());
      reads_.tasks.pop_front();
    }
    task.run(c);
    task.complete(true);
  }
}

}  // namespace hub::store
