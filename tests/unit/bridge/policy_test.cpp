// The bridge policy as one table: role × relation × action → allowed or refused.
#include "bridge/policy.hpp"
#include "bridge/slack/policy.hpp"
#include "tests/unit/support/policy_table.hpp"

using namespace hub::testing::policy_table;
using hub::auth::Actor;

namespace {

enum class Act { manage, slack_credentials };
using BridgeRow = Row<Act>;

// manage: GET/POST /api/bridge/mappings, DELETE /api/bridge/mappings/{id},
// GET /api/bridge/mappings/{id}/status, POST /api/bridge/parked/{id}/retry.
// slack_credentials: PUT /api/bridge/slack/credentials (write-only; bridge/slack/policy.hpp).
// The appservice and Slack event routes are decided by their credentials (docs/access.md).
// clang-format off
const BridgeRow kTable[] = {
  // who              relation      action         allowed
  {Who::admin,     Rel::self,    Act::manage,   yes},
  {Who::mentor,    Rel::self,    Act::manage,   no},
  {Who::member,    Rel::self,    Act::manage,   no},
  {Who::stranger,  Rel::self,    Act::manage,   no},
  {Who::anonymous, Rel::self,    Act::manage,   no},
  {Who::admin,     Rel::self,    Act::slack_credentials,   yes},
  {Who::mentor,    Rel::self,    Act::slack_credentials,   no},
  {Who::member,    Rel::self,    Act::slack_credentials,   no},
  {Who::stranger,  Rel::self,    Act::slack_credentials,   no},
  {Who::anonymous, Rel::self,    Act::slack_credentials,   no},
};
// clang-format on

}  // namespace

TEST_CASE("bridge policy: the whole role × relation × action table") {
  check_table(kTable, [](const Actor& a, Rel, Act act) {
    return act == Act::manage ? hub::bridge::can_manage_bridges(a) : hub::bridge::slack::can_set_slack_credentials(a);
  });
}

TEST_CASE("bridge policy: an admin role without a user id is nobody") {
  CHECK_FALSE(hub::bridge::can_manage_bridges(Actor{0, hub::auth::Role::admin, {}}));
  CHECK_FALSE(hub::bridge::slack::can_set_slack_credentials(Actor{0, hub::auth::Role::admin, {}}));
}
