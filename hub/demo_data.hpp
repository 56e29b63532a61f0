// The demo cohort that `cohorthub init --demo` loads, so a newcomer has something to look at.
#pragma once

#include <string>

#include "hub/app.hpp"

namespace hub {

// Creates the demo cohort and its people once; later calls change nothing. Writes the demo logins
// to dir.demo_logins() (owner-only) and returns that text.
std::string load_demo(const DataDir& dir, int scrypt_log2_n, const Clock& clock);

}  // namespace hub
