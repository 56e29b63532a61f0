// The bridge's log lines: one JSON object per line on stderr, like the rest of the hub
// (docs/operations.md). For skipped or refused remote input, and for failed sends: say why,
// never what the message said, and never a token.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>

namespace hub::bridge {

// {"level":level,"what":"bridge","network":network,"event":event,"reason":reason, numbers...}
void log_reason(std::string_view level, std::string_view network, std::string_view event, std::string_view reason,
                std::initializer_list<std::pair<std::string_view, std::int64_t>> numbers = {});

}  // namespace hub::bridge
