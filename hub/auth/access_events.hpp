// Access that ends while something long-lived still holds it: a session or API token that is
// forgotten (logout, revocation) and a membership that ends. The live stream (hub/discussion)
// listens, so that open WebSockets lose what their user just lost; main wires it (app.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hub::auth {

enum class CredentialKind { session, token };

class AccessWatcher {
 public:
  virtual ~AccessWatcher() = default;
  // `key` is the credential's stored hash (http::Principal::session_key).
  virtual void credential_ended(CredentialKind kind, const std::string& key) = 0;
  // Called after the removal committed.
  virtual void membership_ended(std::int64_t user_id, std::int64_t cohort_id) = 0;
};

// Passes each ending on to every watcher. Watchers are added before serving, then read-only.
class AccessEvents final : public AccessWatcher {
 public:
  // REQUIRES: `watcher` outlives this object.
  void add(AccessWatcher& watcher) { watchers_.push_back(&watcher); }
  void credential_ended(CredentialKind kind, const std::string& key) override {
    for (auto* w : watchers_) w->credential_ended(kind, key);
  }
  void membership_ended(std::int64_t user_id, std::int64_t cohort_id) override {
    for (auto* w : watchers_) w->membership_ended(user_id, cohort_id);
  }

 private:
  std::vector<AccessWatcher*> watchers_;  // set before serving, then read-only
};

}  // namespace hub::auth
