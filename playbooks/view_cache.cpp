#include "playbooks/view_cache.hpp"

namespace hub::playbooks {

ViewCache::Body ViewCache::get(const std::string& slug) const {
  std::lock_guard lock(mutex_);
  auto it = bodies_.find(slug);
  return it == bodies_.end() ? nullptr : it->second;
}

void ViewCache::put(const std::string& slug, std::string body, std::uint64_t generation) {
  auto shared = std::make_shared<const std::string>(std::move(body));
  std::lock_guard lock(mutex_);
  // Checked under the lock: invalidate() bumps the generation under it too.
  if (generation != generation_.load()) return;
  if (bodies_.size() >= kMaxEntries) bodies_.clear();  // crude, but bounded; views refill it
  bodies_[slug] = std::move(shared);
}

void ViewCache::invalidate(const std::string& slug) {
  std::lock_guard lock(mutex_);
  ++generation_;
  bodies_.erase(slug);
}

void ViewCache::clear() {
  std::lock_guard lock(mutex_);
  ++generation_;
  bodies_.clear();
}

}  // namespace hub::playbooks
