#include "hub/sharing/sharing_options.hpp"

#include <numeric>
#include <stdexcept>

namespace hub::sharing {

bool parse_switch(const std::string& text, const char* setting) {
  if (text == "on" || text == "true" || text == "1") return true;
  if (text == "off" || text == "false" || text == "0") return false;
  throw std::runtime_error(std::string(setting) + " must be \"on\" or \"off\"");
}

Epsilon parse_epsilon(const std::string& text) {
  std::uint64_t whole = 0, frac = 0, scale = 1;
  bool dot = false, digits = false;
  for (char ch : text) {
    if (ch == '.' && !dot) {
      dot = true;
    } else if (ch >= '0' && ch <= '9' && scale < 1000 && whole < 1000) {
      digits = true;
      if (dot) frac = frac * 10 + static_cast<std::uint64_t>(ch - '0'), scale *= 10;
      else whole = whole * 10 + static_cast<std::uint64_t>(ch - '0');
    } else {
      throw std::runtime_error("privacy.epsilon must be a decimal number with at most 3 decimals");
    }
  }
  const std::uint64_t num = whole * scale + frac;
  if (!digits || num * 1000 < scale || num > 100 * scale)
    throw std::runtime_error("privacy.epsilon must be between 0.001 and 100");
  const std::uint64_t g = std::gcd(num, scale);
  return {num / g, scale / g};
}

}  // namespace hub::sharing
