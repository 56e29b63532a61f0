#include "hub/http/clock.hpp"

#include <ctime>

namespace hub {

static std::string format_utc(std::int64_t t, const char* fmt) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}

std::string format_rfc3339(std::int64_t unix_seconds) { return format_utc(unix_seconds, "%Y-%m-%dT%H:%M:%SZ"); }
std::string format_date(std::int64_t unix_seconds) { return format_utc(unix_seconds, "%Y-%m-%d"); }

}  // namespace hub
