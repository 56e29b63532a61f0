// One JSON line per request, written by a background thread so the network thread never blocks on I/O.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace hub::http {

class AccessLog {
 public:
  // Writes to `out` (stderr in production). A null `out` disables the log.
  explicit AccessLog(std::FILE* out, std::size_t max_pending = 100'000);
  ~AccessLog();  // flushes what is queued

  // Queues `line` and a newline. REQUIRES: `line` holds no secret (the pipeline never passes
  // headers, bodies or queries).
  void write(std::string_view line);
  std::size_t dropped() const;

 private:
  static constexpr std::size_t kWakeAt = 512;                 // lines that wake the writer early
  static constexpr std::chrono::milliseconds kFlushEvery{50};  // the longest a line waits
  void run();

  std::FILE* out_;
  const std::size_t max_pending_;
  mutable std::mutex mutex_;          // guards pending_, pending_lines_, dropped_ and stopping_
  std::condition_variable wake_;
  std::string pending_;               // lines not yet written, each ending in a newline
  std::size_t pending_lines_ = 0;
  std::size_t dropped_ = 0;           // lines refused because pending_ was full
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace hub::http
