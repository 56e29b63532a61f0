#include "hub/mail/mail_sender.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace hub::mail {

MailSender::MailSender(store::Executor& db, Transport& transport, std::string from, RetryPolicy policy,
                       std::function<std::int64_t()> now_ms, std::int64_t poll_ms)
    : db_(db), transport_(transport), from_(std::move(from)), policy_(policy), now_ms_(std::move(now_ms)),
      poll_ms_(poll_ms) {}

MailSender::~MailSender() { stop(); }

void MailSender::start() {
  recover_interrupted();
  thread_ = std::thread([this] { run(); });
}

void MailSender::recover_interrupted() {
  const std::int64_t now = now_ms_();
  auto parked = db_.write_now([now](Connection& c) { return park_interrupted(c, now); });
  if (parked && *parked > 0)
    std::fprintf(stderr, "{\"level\":\"warn\",\"what\":\"mail: %d message(s) were in flight at the last stop; parked for an admin\"}\n",
                 *parked);
}

void MailSender::wake() {
  std::lock_guard lock(mutex_);
  woken_ = true;
  cv_.notify_one();
}

void MailSender::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

int MailSender::deliver_due() {
  int attempted = 0;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return attempted;
    }
    const std::int64_t now = now_ms_();
    auto claimed = db_.write_now([now](Connection& c) { return claim_due(c, now); });
    if (!claimed || !*claimed) return attempted;
    const Claimed& m = **claimed;
    ++attempted;
    auto sent = transport_.send(from_, m.recipient, m.mime);
    const std::int64_t done = now_ms_();
    const std::int64_t id = m.id;
    if (sent) {
      if (auto s = db_.write_now([id, done](Connection& c) { return record_sent(c, id, done); }); !s)
        std::fprintf(stderr, "{\"level\":\"error\",\"what\":\"mail: could not record a sent message\"}\n");
    } else {
      const std::string why = sent.error().message;
      std::fprintf(stderr, "{\"level\":\"warn\",\"what\":\"mail: delivery failed, will retry\",\"outbox_id\":%lld}\n",
                   static_cast<long long>(id));
      auto failed_job = [id, why, p = policy_, done](Connection& c) { return record_failure(c, id, why, p, done); };
      if (auto s = db_.write_now(failed_job); !s)
        std::fprintf(stderr, "{\"level\":\"error\",\"what\":\"mail: could not record a failed delivery\"}\n");
    }
  }
}

void MailSender::run() {
  for (;;) {
    for (auto& produce : producers_) produce();
    deliver_due();
    // Sleep until the next message is due, a wake(), or the poll interval, whichever comes first.
    std::int64_t wait_ms = poll_ms_;
    if (auto due = db_.read_now([](Connection& c) { return next_due_ms(c); }); due && *due)
      wait_ms = std::clamp<std::int64_t>(**due - now_ms_(), 0, poll_ms_);
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::milliseconds(wait_ms), [this] { return woken_ || stopping_; });
    if (stopping_) return;
    woken_ = false;
  }
}

}  // namespace hub::mail
