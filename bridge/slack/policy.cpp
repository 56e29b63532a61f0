#include "bridge/slack/policy.hpp"

namespace hub::bridge::slack {

bool can_set_slack_credentials(const auth::Actor& actor) { return actor.signed_in() && actor.is_admin(); }

}  // namespace hub::bridge::slack
