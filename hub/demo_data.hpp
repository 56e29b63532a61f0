// The demo community that `cohorthub init --demo` loads, so a newcomer has something to look at:
// three cohorts over two years, their pipelines, waves, conversations, playbooks and mentoring.
#pragma once

#include <string>

#include "hub/app.hpp"

namespace hub {

// Creates the demo community once; later calls change nothing. The history is played through the
// hub's own routes with a clock that walks the two years up to the day before clock.now(). Writes
// the demo logins to dir.demo_logins() (owner-only) and returns that text.
// REQUIRES: init_data_dir(dir) has run.
std::string load_demo(const DataDir& dir, const Config& config, const Clock& clock);

// True when `dir` holds a demo community (the hub then shows a "Demo data" banner).
bool is_demo(const DataDir& dir);

}  // namespace hub
