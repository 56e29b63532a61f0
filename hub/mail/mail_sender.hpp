// The sender: its own thread takes due messages from the outbox one at a time and hands them to
// the Transport, never on the network thread. Claiming commits "in flight" before SMTP starts,
// so a crash leaves a trace (park_interrupted) instead of a second copy.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "hub/mail/outbox.hpp"
#include "hub/mail/transport.hpp"
#include "hub/store/executor.hpp"

namespace hub::mail {

class MailSender {
 public:
  // `now_ms` is the clock (milliseconds since the epoch); tests drive it. All references must
  // outlive this object.
  MailSender(store::Executor& db, Transport& transport, std::string from, RetryPolicy policy,
             std::function<std::int64_t()> now_ms, std::int64_t poll_ms);
  ~MailSender();  // stops the thread

  // recover_interrupted(), then starts the thread.
  void start();
  // Parks messages left in flight by a previous process (outbox.hpp, park_interrupted).
  void recover_interrupted();
  // Runs `produce` on the sender thread before each round of deliveries (it queues mail that
  // follows from other modules' tables). REQUIRES: before start().
  void add_producer(std::function<void()> produce) { producers_.push_back(std::move(produce)); }
  // Wakes the thread: a message was queued.
  void wake();
  void stop();

  // Sends every message due at now_ms(), one after another, on the calling thread; returns how
  // many were attempted. The thread's loop; tests call it directly.
  int deliver_due();

 private:
  void run();

  store::Executor& db_;
  Transport& transport_;
  const std::string from_;
  const RetryPolicy policy_;
  const std::function<std::int64_t()> now_ms_;
  const std::int64_t poll_ms_;
  std::mutex mutex_;  // guards woken_ and stopping_
  std::condition_variable cv_;
  bool woken_ = false;
  bool stopping_ = false;
  std::vector<std::function<void()>> producers_;  // set before start(), then read by the thread only
  std::thread thread_;
};

}  // namespace hub::mail
