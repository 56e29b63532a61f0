// Who may do what with the bridges: pure functions over auth::Actor, tested as one table
// (tests/unit/bridge/policy_test.cpp). The routes the remote networks call (the Matrix appservice
// push, Slack's events) are decided by their own credentials, not here.
#pragma once

#include "hub/auth/policy.hpp"

namespace hub::bridge {

// The admin API: list, create and remove channel <-> room mappings, read their status, retry a
// parked message. Admins only: a mapping publishes a channel's talk to another network.
bool can_manage_bridges(const auth::Actor& actor);

}  // namespace hub::bridge
