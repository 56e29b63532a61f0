// The bridge policy as one table: role × relation × action → allowed or refused.
#include "bridge/policy.hpp"
#include "tests/unit/support/policy_table.hpp"

using namespace hub::testing::policy_table;
using hub::auth::Actor;

namespace {

enum class Act { manage };
using BridgeRow = Row<Act>;

// manage: GET/POST /api/bridge/mappings, DELETE /api/bridge/mappings/{id},
// GET /api/bridge/mappings/{id}/status, POST /api/bridge/parked/{id}/retry.
// The appservice and Slack event routes are decided by their credentials (docs/access.md).
// clang-format off
const BridgeRow kTable[] = {
  // who              relation      action         allowed
  {Who::admin,     Rel::self,    Act::manage,   yes},
  {Who::mentor,    Rel::self,    Act::manage,   no},
  {Who::member,    Rel::self,    Act::manage,   no},
  {Who::stranger,  Rel::self,    Act::manage,   no},
  {Who::anonymous, Rel::self,    Act::manage,   no},
};
// clang-format on

}  // namespace

TEST_CASE("bridge policy: the whole role × relation × action table") {
  check_table(kTable, [](const Actor& a, Rel, Act) { return hub::bridge::can_manage_bridges(a); });
}

TEST_CASE("bridge policy: an admin role without a user id is nobody") {
  CHECK_FALSE(hub::bridge::can_manage_bridges(Actor{0, hub::auth::Role::admin, {}}));
}
