// Loop prevention, both ways. Outbound: a hub event is never relayed to the network it came from
// (its origin says which), so edits, deletes and reactions received from Matrix are not sent back.
// Inbound: what our own ghosts or bot sent, or what carries our provenance key, is an echo, even
// when it arrives before the send that caused it has returned.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hub/discussion/event_log.hpp"

namespace hub::bridge {

// The key every message the bridge sends carries in its content, with the hub event's seq.
inline constexpr std::string_view kProvenanceKey = "org.cohorthub.provenance";

// Whether hub event `e` goes to `target`.
bool should_relay(const discussion::Event& e, discussion::Network target);

struct InboundFacts {
  std::string sender;          // e.g. "@cohorthub_ana:hs.example"
  bool has_provenance = false;  // the content carries kProvenanceKey
};
struct OwnIdentities {
  std::string ghost_prefix;  // "@cohorthub_": the appservice's user namespace
  std::string bot;           // "@cohorthub:hs.example", or the bot account
};
// Why an inbound event is our own echo, or nullopt when it is a remote user's.
std::optional<std::string> echo_reason(const InboundFacts& in, const OwnIdentities& own);

}  // namespace hub::bridge
