// The Matrix appservice policy as one table: every role, with and without the homeserver's
// hs_token, for the appservice routes (push a transaction, query a user, query a room alias).
#include <catch2/catch.hpp>

#include "bridge/matrix/policy.hpp"

using hub::auth::Actor;
using hub::auth::Role;
using hub::bridge::matrix::policy::may_call_appservice;

namespace {

enum class Who { admin, mentor, member, stranger, anonymous };
enum class Rel { with_hs_token, without_hs_token };
enum class Act { push_transaction, query_user, query_room };

Actor actor(Who who) {
  switch (who) {
    case Who::admin: return {10, Role::admin, {1}};
    case Who::mentor: return {10, Role::mentor, {1}};
    case Who::member: return {10, Role::member, {1}};
    case Who::stranger: return {10, Role::member, {}};
    case Who::anonymous: break;
  }
  return Actor::anonymous();
}

struct Row {
  Who who;
  Rel rel;
  Act act;
  bool allowed;
};

constexpr bool yes = true, no = false;

// push_transaction: PUT /_matrix/app/v1/transactions/{txnId}; query_user: GET /_matrix/app/v1/users/{userId};
// query_room: GET /_matrix/app/v1/rooms/{roomAlias}. The token decides; no role adds or removes anything.
// clang-format off
const Row kTable[] = {
  {Who::admin,     Rel::with_hs_token,    Act::push_transaction, yes},
  {Who::admin,     Rel::with_hs_token,    Act::query_user,       yes},
  {Who::admin,     Rel::with_hs_token,    Act::query_room,       yes},
  {Who::admin,     Rel::without_hs_token, Act::push_transaction, no},
  {Who::admin,     Rel::without_hs_token, Act::query_user,       no},
  {Who::admin,     Rel::without_hs_token, Act::query_room,       no},
  {Who::mentor,    Rel::with_hs_token,    Act::push_transaction, yes},
  {Who::mentor,    Rel::with_hs_token,    Act::query_user,       yes},
  {Who::mentor,    Rel::with_hs_token,    Act::query_room,       yes},
  {Who::mentor,    Rel::without_hs_token, Act::push_transaction, no},
  {Who::mentor,    Rel::without_hs_token, Act::query_user,       no},
  {Who::mentor,    Rel::without_hs_token, Act::query_room,       no},
  {Who::member,    Rel::with_hs_token,    Act::push_transaction, yes},
  {Who::member,    Rel::with_hs_token,    Act::query_user,       yes},
  {Who::member,    Rel::with_hs_token,    Act::query_room,       yes},
  {Who::member,    Rel::without_hs_token, Act::push_transaction, no},
  {Who::member,    Rel::without_hs_token, Act::query_user,       no},
  {Who::member,    Rel::without_hs_token, Act::query_room,       no},
  {Who::stranger,  Rel::with_hs_token,    Act::push_transaction, yes},
  {Who::stranger,  Rel::with_hs_token,    Act::query_user,       yes},
  {Who::stranger,  Rel::with_hs_token,    Act::query_room,       yes},
  {Who::stranger,  Rel::without_hs_token, Act::push_transaction, no},
  {Who::stranger,  Rel::without_hs_token, Act::query_user,       no},
  {Who::stranger,  Rel::without_hs_token, Act::query_room,       no},
  {Who::anonymous, Rel::with_hs_token,    Act::push_transaction, yes},
  {Who::anonymous, Rel::with_hs_token,    Act::query_user,       yes},
  {Who::anonymous, Rel::with_hs_token,    Act::query_room,       yes},
  {Who::anonymous, Rel::without_hs_token, Act::push_transaction, no},
  {Who::anonymous, Rel::without_hs_token, Act::query_user,       no},
  {Who::anonymous, Rel::without_hs_token, Act::query_room,       no},
};
// clang-format on

}  // namespace

TEST_CASE("matrix policy: the hs_token, and nothing else, opens the appservice routes") {
  for (const auto& row : kTable) {
    INFO("who " << int(row.who) << " rel " << int(row.rel) << " act " << int(row.act));
    CHECK(may_call_appservice(actor(row.who), row.rel == Rel::with_hs_token) == row.allowed);
  }
}
