#include "hub/net/key_counter.hpp"

#include <utility>

namespace hub::net {

key_counter::claim& key_counter::claim::operator=(claim&& other) noexcept {
  if (this != &other) {
    reset();
    owner_ = std::move(other.owner_);
    key_ = std::move(other.key_);
    held_ = std::exchange(other.held_, false);
  }
  return *this;
}

void key_counter::claim::reset() {
  if (owner_) std::exchange(owner_, nullptr)->release(key_);
  held_ = false;
}

key_counter::claim key_counter::try_claim(std::string key) {
  if (max_ == 0) {
    claim unlimited;
    unlimited.held_ = true;
    return unlimited;
  }
  std::lock_guard lock(mutex_);
  auto& n = counts_[key];
  if (n >= max_) return {};
  ++n;
  return claim(shared_from_this(), std::move(key));
}

std::size_t key_counter::count(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = counts_.find(key);
  return it == counts_.end() ? 0 : it->second;
}

void key_counter::release(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = counts_.find(key);
  if (it != counts_.end() && --it->second == 0) counts_.erase(it);
}

}  // namespace hub::net
