#include "bridge/policy.hpp"

namespace hub::bridge {

bool can_manage_bridges(const auth::Actor& actor) { return actor.signed_in() && actor.is_admin(); }

}  // namespace hub::bridge
