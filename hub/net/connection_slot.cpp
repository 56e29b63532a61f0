#include "hub/net/connection_slot.hpp"

#include <utility>

#include "hub/net/shared_state.hpp"

namespace hub::net {

connection_slot::connection_slot(std::shared_ptr<shared_state> state, std::weak_ptr<session> s,
                                 bool counted, key_counter::claim address)
    : state_(std::move(state)), counted_(counted), address_(std::move(address)) {
  id_ = state_->join(std::move(s), counted_);
  if (counted_) state_->service().connection_opened();
}

connection_slot::connection_slot(connection_slot&& other) noexcept
    : state_(std::move(other.state_)),
      id_(other.id_),
      counted_(other.counted_),
      address_(std::move(other.address_)),
      user_(std::move(other.user_)) {}

connection_slot& connection_slot::operator=(connection_slot&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::move(other.state_);
    id_ = other.id_;
    counted_ = other.counted_;
    address_ = std::move(other.address_);
    user_ = std::move(other.user_);
  }
  return *this;
}

connection_slot::~connection_slot() { release(); }

void connection_slot::rebind(std::weak_ptr<session> s) { state_->rebind(id_, std::move(s)); }

void connection_slot::release() {
  if (!state_) return;
  auto state = std::move(state_);
  address_.reset();
  user_.reset();
  if (counted_) state->service().connection_closed();
  state->leave(id_, counted_);
}

}  // namespace hub::net
