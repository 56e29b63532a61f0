// hub/net's log lines: one JSON object per line on stderr, as docs/operations.md promises.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>

namespace hub::net {

// Writes {"level":level,"what":"net","event":event,"msg":msg, numbers...} and a newline, with
// every string JSON-escaped (invalid UTF-8 replaced). Callers pass no secrets and no addresses.
void log_line(std::string_view level, std::string_view event, std::string_view msg,
              std::initializer_list<std::pair<std::string_view, std::int64_t>> numbers = {});

}  // namespace hub::net
