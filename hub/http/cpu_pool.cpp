#include "hub/http/cpu_pool.hpp"

#include <nlohmann/json.hpp>

namespace hub::http {

CpuPool::CpuPool(int threads, std::size_t max_queue, std::FILE* log) : max_queue_(max_queue), log_(log) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
}

CpuPool::~CpuPool() { stop(); }

void CpuPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

bool CpuPool::enqueue(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || tasks_.size() >= max_queue_) return false;
    tasks_.push_back(std::move(task));
  }
  ready_.notify_one();
  return true;
}

void CpuPool::log_exception(std::exception_ptr thrown) const {
  std::string what = "not a std::exception";
  try {
    std::rethrow_exception(thrown);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  nlohmann::json line = {{"level", "error"}, {"what", "cpu job threw"}, {"error", what}};
  // One write per line, so lines from several pool threads do not interleave.
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::fwrite(text.data(), 1, text.size(), log_);
  std::fflush(log_);
}

std::size_t CpuPool::queue_depth() const {
  std::lock_guard lock(mutex_);
  return tasks_.size();
}

void CpuPool::loop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace hub::http
