// A WebSocket peer's bounded outbound queue, charged to the server's outbound budget.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

namespace hub::net {

class outbound_budget;

// push() may run on any thread; pop() only on the peer's writer. Holding shared immutable
// strings, a broadcast costs one string for all peers.
class outbound_queue {
 public:
  enum class push_result {
    queued,       // accepted; the writer is already running
    wake_writer,  // accepted; the writer was idle and must be started
    overflow,     // over a bound: the queue is now closed and emptied
    closed,       // refused: close() or an overflow came first
  };

  // Every queued byte is also charged to `budget` (if given), which outlives the queue.
  outbound_queue(std::size_t max_messages, std::size_t max_bytes, outbound_budget* budget = nullptr);
  ~outbound_queue();  // pays back what is still queued

  push_result push(std::shared_ptr<const std::string> message);
  // The next message, or null; after null the writer counts as idle again.
  std::shared_ptr<const std::string> pop();
  // Drops what is queued; every later push() returns closed.
  void close();

 private:
  void drop_all();  // REQUIRES: mutex_ held

  const std::size_t max_messages_;  // bound on queued messages
  const std::size_t max_bytes_;     // bound on queued payload bytes
  outbound_budget* const budget_;   // shared by all connections; may be null
  std::mutex mutex_;                // this mutex synchronises all access to the members below
  std::deque<std::shared_ptr<const std::string>> messages_;
  std::size_t bytes_ = 0;           // payload bytes in messages_
  bool writing_ = false;            // the writer is running (it pops until null)
  bool closed_ = false;
};

}  // namespace hub::net
