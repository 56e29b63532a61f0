#include "hub/net/outbound_queue.hpp"

#include <utility>

#include "hub/net/outbound_budget.hpp"

namespace hub::net {

outbound_queue::outbound_queue(std::size_t max_messages, std::size_t max_bytes, outbound_budget* budget)
    : max_messages_(max_messages), max_bytes_(max_bytes), budget_(budget) {}

outbound_queue::~outbound_queue() { close(); }

outbound_queue::push_result outbound_queue::push(std::shared_ptr<const std::string> message) {
  std::lock_guard lock(mutex_);
  if (closed_) return push_result::closed;
  if (messages_.size() + 1 > max_messages_ || bytes_ + message->size() > max_bytes_ ||
      (budget_ && !budget_->try_charge(message->size()))) {
    drop_all();
    return push_result::overflow;
  }
  bytes_ += message->size();
  messages_.push_back(std::move(message));
  if (writing_) return push_result::queued;
  writing_ = true;
  return push_result::wake_writer;
}

std::shared_ptr<const std::string> outbound_queue::pop() {
  std::lock_guard lock(mutex_);
  if (messages_.empty()) {
    writing_ = false;
    return nullptr;
  }
  auto message = std::move(messages_.front());
  messages_.pop_front();
  bytes_ -= message->size();
  if (budget_) budget_->release(message->size());
  return message;
}

void outbound_queue::close() {
  std::lock_guard lock(mutex_);
  drop_all();
}

void outbound_queue::drop_all() {
  closed_ = true;
  messages_.clear();
  if (budget_) budget_->release(bytes_);
  bytes_ = 0;
}

}  // namespace hub::net
