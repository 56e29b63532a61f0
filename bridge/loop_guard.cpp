#include "bridge/loop_guard.hpp"

namespace hub::bridge {

bool should_relay(const discussion::Event& e, discussion::Network target) {
  return target != discussion::Network::hub && e.origin.network != target;
}

std::optional<std::string> echo_reason(const InboundFacts& in, const OwnIdentities& own) {
  if (in.has_provenance) return "carries our provenance key";
  if (!own.bot.empty() && in.sender == own.bot) return "sent by our bot";
  if (!own.ghost_prefix.empty() && in.sender.compare(0, own.ghost_prefix.size(), own.ghost_prefix) == 0)
    return "sent by one of our ghosts";
  return std::nullopt;
}

}  // namespace hub::bridge
