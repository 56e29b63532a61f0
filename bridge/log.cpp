#include "bridge/log.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace hub::bridge {

void log_reason(std::string_view level, std::string_view network, std::string_view event, std::string_view reason,
                std::initializer_list<std::pair<std::string_view, std::int64_t>> numbers) {
  nlohmann::json line{{"level", level}, {"what", "bridge"}, {"network", network}, {"event", event}, {"reason", reason}};
  for (const auto& [name, value] : numbers) line[std::string(name)] = value;
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace hub::bridge
