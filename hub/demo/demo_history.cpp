#include "hub/demo/demo_history.hpp"

#include <algorithm>
#include <stdexcept>

namespace hub::demo {

void Timeline::at(std::int64_t when, std::function<void(DemoSession&)> action) {
  actions_.push_back({when, std::move(action)});
}

void Timeline::run(DemoSession& session) {
  std::stable_sort(actions_.begin(), actions_.end(), [](const Timed& a, const Timed& b) { return a.when < b.when; });
  for (auto& a : actions_) {
    if (a.when > session.clock().now()) session.set_time(a.when);
    try {
      a.action(session);
    } catch (const nlohmann::json::exception& e) {  // an answer without the field the script expects
      throw std::runtime_error("demo: at " + format_rfc3339(a.when) + ": " + e.what());
    }
  }
  actions_.clear();
}

}  // namespace hub::demo
