// The process's open-files limit, raised at start-up to fit the connections it may hold.
#pragma once

#include <cstdint>

#include "hub/net/server.hpp"

namespace hub::net {

struct open_files_limit {
  std::uint64_t wanted = 0;  // max_connections, the refusal headroom, and room for the DB and files
  std::uint64_t soft = 0;    // RLIMIT_NOFILE's soft limit now
  std::uint64_t hard = 0;    // ... and its hard limit, which an unprivileged process cannot pass
};

// Raises the soft RLIMIT_NOFILE towards what `options` needs (never lowers it, never past the hard
// limit) and logs the outcome as one JSON line: "info" if it fits, "warn" if not.
open_files_limit raise_open_files_limit(const ServerOptions& options);

}  // namespace hub::net
