#include "hub/http/access_log.hpp"

namespace hub::http {

AccessLog::AccessLog(std::FILE* out, std::size_t max_pending) : out_(out), max_pending_(max_pending) {
  if (out_) writer_ = std::thread([this] { run(); });
}

AccessLog::~AccessLog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
}

void AccessLog::write(std::string_view line) {
  if (!out_) return;
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (pending_lines_ >= max_pending_) {
      ++dropped_;
      return;
    }
    // One growing text rather than a string per line: the two buffers swap and keep their
    // capacity, so a steady stream of lines allocates nothing.
    pending_ += line;
    pending_ += '\n';
    wake = ++pending_lines_ == kWakeAt;
  }
  // Waking the writer for every line cost a context switch per request; it wakes on its own
  // every kFlushEvery, or early when a batch is large.
  if (wake) wake_.notify_one();
}

std::size_t AccessLog::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void AccessLog::run() {
  std::string batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, kFlushEvery, [&] { return stopping_ || pending_lines_ >= kWakeAt; });
      if (pending_.empty() && stopping_) return;
      batch.swap(pending_);
      pending_lines_ = 0;
    }
    if (batch.empty()) continue;
    std::fwrite(batch.data(), 1, batch.size(), out_);
    std::fflush(out_);
    batch.clear();
  }
}

}  // namespace hub::http
