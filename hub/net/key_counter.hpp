// Open things per key (a client address, a user) under a cap.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace hub::net {

// Thread-safe. A claim holds one of a key's places until it is destroyed or reset.
class key_counter : public std::enable_shared_from_this<key_counter> {
 public:
  class claim {
   public:
    claim() = default;
    claim(claim&& other) noexcept
        : owner_(std::move(other.owner_)), key_(std::move(other.key_)), held_(std::exchange(other.held_, false)) {}
    claim& operator=(claim&& other) noexcept;
    ~claim() { reset(); }
    explicit operator bool() const { return held_; }
    void reset();

   private:
    friend class key_counter;
    claim(std::shared_ptr<key_counter> owner, std::string key) : owner_(std::move(owner)), key_(std::move(key)), held_(true) {}

    std::shared_ptr<key_counter> owner_;  // null when no cap applies (or moved from)
    std::string key_;
    bool held_ = false;                   // a place was granted
  };

  // `max` places per key; 0 means no cap (every claim is granted and nothing is counted).
  explicit key_counter(std::size_t max) : max_(max) {}

  // One of `key`'s places, or an empty claim when all `max` are taken.
  // REQUIRES: owned by a std::shared_ptr.
  claim try_claim(std::string key);
  std::size_t count(const std::string& key) const;

 private:
  void release(const std::string& key);

  const std::size_t max_;
  mutable std::mutex mutex_;  // guards counts_
  std::unordered_map<std::string, std::size_t> counts_;  // keys with at least one place taken
};

}  // namespace hub::net
