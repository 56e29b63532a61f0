// The Slack connector's policy as one table: role × relation × action → allowed or refused.
// Everyone but the anonymous actor and the stranger belongs to cohort 1. The Events API route has
// no row: it has no actor, Slack's signature is its credential (slack_test.cpp checks it).
#include <catch2/catch.hpp>

#include "bridge/slack/policy.hpp"

using hub::auth::Actor;
using hub::auth::Role;

namespace {

enum class SlackWho { admin, mentor, member, stranger, anonymous };
enum class SlackRel { self };
enum class SlackAct { set_credentials };

Actor slack_actor(SlackWho who) {
  switch (who) {
    case SlackWho::admin: return {10, Role::admin, {1}};
    case SlackWho::mentor: return {10, Role::mentor, {1}};
    case SlackWho::member: return {10, Role::member, {1}};
    case SlackWho::stranger: return {10, Role::member, {}};
    case SlackWho::anonymous: break;
  }
  return Actor::anonymous();
}

struct SlackRow {
  SlackWho who;
  SlackRel rel;
  SlackAct act;
  bool allowed;
};

// set_credentials: PUT /api/bridge/slack/credentials.
// clang-format off
const SlackRow kSlackTable[] = {
  {SlackWho::admin,     SlackRel::self, SlackAct::set_credentials, true},
  {SlackWho::mentor,    SlackRel::self, SlackAct::set_credentials, false},
  {SlackWho::member,    SlackRel::self, SlackAct::set_credentials, false},
  {SlackWho::stranger,  SlackRel::self, SlackAct::set_credentials, false},
  {SlackWho::anonymous, SlackRel::self, SlackAct::set_credentials, false},
};
// clang-format on

}  // namespace

TEST_CASE("slack policy: the whole role × relation × action table") {
  for (const SlackRow& row : kSlackTable) {
    INFO("who " << int(row.who) << ", action " << int(row.act));
    CHECK(hub::bridge::slack::can_set_slack_credentials(slack_actor(row.who)) == row.allowed);
  }
  CHECK_FALSE(hub::bridge::slack::can_set_slack_credentials(Actor{0, Role::admin, {}}));  // a role without a user
}
