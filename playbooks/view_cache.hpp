// The rendered view of each playbook's head, as the exact JSON body GET /api/playbooks/{slug}
// sends, kept in memory so that a view costs no database work and no rendering.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hub::playbooks {

class ViewCache {
 public:
  using Body = std::shared_ptr<const std::string>;

  // null when the slug is not cached.
  Body get(const std::string& slug) const;
  // The generation to pass to put() for a body about to be read from the database.
  std::uint64_t generation() const { return generation_.load(); }
  // Caches `body` unless something was invalidated since `generation` (the body may be stale).
  void put(const std::string& slug, std::string body, std::uint64_t generation);
  // Called after every committed change to the playbook's view.
  void invalidate(const std::string& slug);
  void clear();

 private:
  static constexpr std::size_t kMaxEntries = 4096;
  mutable std::mutex mutex_;                     // guards bodies_
  std::unordered_map<std::string, Body> bodies_;  // slug → response body
  std::atomic<std::uint64_t> generation_{0};      // bumped by every invalidation
};

}  // namespace hub::playbooks
