#include "hub/net/log.hpp"

#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

namespace hub::net {

void log_line(std::string_view level, std::string_view event, std::string_view msg,
              std::initializer_list<std::pair<std::string_view, std::int64_t>> numbers) {
  nlohmann::json line = {{"level", level}, {"what", "net"}, {"event", event}};
  if (!msg.empty()) line["msg"] = msg;
  for (const auto& [name, value] : numbers) line[std::string(name)] = value;
  // One write per line, so lines from several threads do not interleave.
  std::cerr << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n" << std::flush;
}

}  // namespace hub::net
