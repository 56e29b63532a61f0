// The sharing module's settings, read from [privacy] and [sharing] of the config at wiring.
#pragma once

#include <cstdint>
#include <string>

#include "hub/sharing/wave_computation.hpp"

namespace hub::sharing {

struct SharingOptions {
  std::string hmac_key_file;     // <data-dir>/keys/pseudonym-hmac.key
  std::string records_key_file;  // <data-dir>/keys/records-aes256.key
  DisclosureOptions disclosure;
  std::int64_t quiet_weeks = 6;  // a client not contacted for longer is flagged
  std::int64_t wave_days = 0;    // close a wave automatically this often; 0: only an admin closes
};

// "on"/"off" (also true/false, 1/0). Throws std::runtime_error naming the setting otherwise.
bool parse_switch(const std::string& text, const char* setting);
// A decimal such as "1" or "0.5" (at most 3 decimals), between 0.001 and 100. Throws otherwise.
Epsilon parse_epsilon(const std::string& text);

}  // namespace hub::sharing
