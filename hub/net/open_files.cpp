#include "hub/net/open_files.hpp"

#include <algorithm>

#include <sys/resource.h>

#include "hub/net/listener.hpp"
#include "hub/net/log.hpp"

namespace hub::net {

namespace {

constexpr std::uint64_t kOtherFiles = 256;  // the database, its WAL, key files, static files, stdio

std::int64_t as_number(rlim_t v) {
  return v == RLIM_INFINITY ? -1 : static_cast<std::int64_t>(std::min<rlim_t>(v, INT64_MAX));
}

}  // namespace

open_files_limit raise_open_files_limit(const ServerOptions& options) {
  open_files_limit out;
  out.wanted = options.max_connections + kRefusalHeadroom + kOtherFiles;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    log_line("warn", "open_files_limit", "getrlimit failed", {{"wanted", static_cast<std::int64_t>(out.wanted)}});
    return out;
  }
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < out.wanted) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? out.wanted : std::min<rlim_t>(out.wanted, limit.rlim_max);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  out.soft = limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : limit.rlim_cur;
  out.hard = limit.rlim_max == RLIM_INFINITY ? UINT64_MAX : limit.rlim_max;
  const bool fits = out.soft >= out.wanted;
  log_line(fits ? "info" : "warn", "open_files_limit",
           fits ? "" : "the hard limit is below what max_connections needs; raise it (ulimit -Hn, LimitNOFILE)",
           {{"wanted", static_cast<std::int64_t>(out.wanted)},
            {"soft", as_number(limit.rlim_cur)},
            {"hard", as_number(limit.rlim_max)}});
  return out;
}

}  // namespace hub::net
