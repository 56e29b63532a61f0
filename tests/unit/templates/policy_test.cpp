// The templates access rules, as one table: role × relation × action → allowed.
//
// Every signed-in role is in cohort 10 except the stranger (signed in, in no cohort). The relation
// names who owns the template (or the saved document): `self` the actor, `same` a member of
// cohort 10, `other` a member of cohort 20.
#include <catch2/catch.hpp>

#include "playbooks/templates/policy.hpp"

using namespace hub::playbooks::templates;

namespace {

enum class Who { admin, mentor, member, stranger, anonymous };

enum class Act {
  read,
  create,
  render,
  edit,             // an open license
  edit_fill_only,   // CC-BY-ND-4.0
  release,
  release_fill_only,
  fork,
  fork_fill_only,
  rate,
  read_document,    // also save, re-render and delete it
};

constexpr bool Y = true, N = false;

struct Row {
  Act act;
  Who role;
  bool self, same, other;
};

// clang-format off
const Row kTable[] = {
  //  action                  role              self same other
  {Act::read,                 Who::admin,     Y, Y, Y},
  {Act::read,                 Who::mentor,    Y, Y, Y},
  {Act::read,                 Who::member,    Y, Y, Y},
  {Act::read,                 Who::stranger,  Y, Y, Y},
  {Act::read,                 Who::anonymous, N, N, N},
  {Act::create,               Who::admin,     Y, Y, Y},
  {Act::create,               Who::mentor,    Y, Y, Y},
  {Act::create,               Who::member,    Y, Y, Y},
  {Act::create,               Who::stranger,  Y, Y, Y},
  {Act::create,               Who::anonymous, N, N, N},
  {Act::render,               Who::admin,     Y, Y, Y},
  {Act::render,               Who::mentor,    Y, Y, Y},
  {Act::render,               Who::member,    Y, Y, Y},
  {Act::render,               Who::stranger,  Y, Y, Y},
  {Act::render,               Who::anonymous, N, N, N},
  {Act::edit,                 Who::admin,     Y, Y, Y},
  {Act::edit,                 Who::mentor,    Y, N, N},
  {Act::edit,                 Who::member,    Y, N, N},
  {Act::edit,                 Who::stranger,  Y, N, N},
  {Act::edit,                 Who::anonymous, N, N, N},
  {Act::edit_fill_only,       Who::admin,     N, N, N},
  {Act::edit_fill_only,       Who::mentor,    N, N, N},
  {Act::edit_fill_only,       Who::member,    N, N, N},
  {Act::edit_fill_only,       Who::stranger,  N, N, N},
  {Act::edit_fill_only,       Who::anonymous, N, N, N},
  {Act::release,              Who::admin,     Y, Y, Y},
  {Act::release,              Who::mentor,    Y, N, N},
  {Act::release,              Who::member,    Y, N, N},
  {Act::release,              Who::stranger,  Y, N, N},
  {Act::release,              Who::anonymous, N, N, N},
  {Act::release_fill_only,    Who::admin,     Y, Y, Y},
  {Act::release_fill_only,    Who::mentor,    Y, N, N},
  {Act::release_fill_only,    Who::member,    Y, N, N},
  {Act::release_fill_only,    Who::stranger,  Y, N, N},
  {Act::release_fill_only,    Who::anonymous, N, N, N},
  {Act::fork,                 Who::admin,     Y, Y, Y},
  {Act::fork,                 Who::mentor,    Y, Y, Y},
  {Act::fork,                 Who::member,    Y, Y, Y},
  {Act::fork,                 Who::stranger,  Y, Y, Y},
  {Act::fork,                 Who::anonymous, N, N, N},
  {Act::fork_fill_only,       Who::admin,     N, N, N},
  {Act::fork_fill_only,       Who::mentor,    N, N, N},
  {Act::fork_fill_only,       Who::member,    N, N, N},
  {Act::fork_fill_only,       Who::stranger,  N, N, N},
  {Act::fork_fill_only,       Who::anonymous, N, N, N},
  {Act::rate,                 Who::admin,     N, Y, Y},
  {Act::rate,                 Who::mentor,    N, Y, Y},
  {Act::rate,                 Who::member,    N, Y, Y},
  {Act::rate,                 Who::stranger,  N, Y, Y},
  {Act::rate,                 Who::anonymous, N, N, N},
  {Act::read_document,        Who::admin,     Y, N, N},
  {Act::read_document,        Who::mentor,    Y, N, N},
  {Act::read_document,        Who::member,    Y, N, N},
  {Act::read_document,        Who::stranger,  Y, N, N},
  {Act::read_document,        Who::anonymous, N, N, N},
};
// clang-format on

Actor actor_for(Who r) {
  switch (r) {
    case Who::admin: return {1, hub::auth::Role::admin, {10}};
    case Who::mentor: return {2, hub::auth::Role::mentor, {10}};
    case Who::member: return {3, hub::auth::Role::member, {10}};
    case Who::stranger: return {4, hub::auth::Role::member, {}};
    case Who::anonymous: return {};
  }
  return {};
}

bool allowed(Act act, const Actor& a, const Actor& owner) {
  // The anonymous actor owns nothing: its "self" template has no owner, like a starter template.
  std::optional<std::int64_t> owner_id = owner.user_id ? std::optional<std::int64_t>(owner.user_id) : std::nullopt;
  const TemplateFacts open{owner_id, false}, nd{owner_id, true};
  switch (act) {
    case Act::read: return can_read_templates(a);
    case Act::create: return can_create_template(a);
    case Act::render: return can_render_template(a);
    case Act::edit: return can_edit_template(a, open);
    case Act::edit_fill_only: return can_edit_template(a, nd);
    case Act::release: return can_release_template(a, open);
    case Act::release_fill_only: return can_release_template(a, nd);
    case Act::fork: return can_fork_template(a, open);
    case Act::fork_fill_only: return can_fork_template(a, nd);
    case Act::rate: return can_rate_template(a, open);
    case Act::read_document: return can_read_document(a, owner.user_id);
  }
  return false;
}

}  // namespace

TEST_CASE("templates policy: every role × relation × action gets the answer in the table") {
  const Actor same{5, hub::auth::Role::member, {10}}, other{6, hub::auth::Role::member, {20}};
  for (const Row& row : kTable) {
    const Actor a = actor_for(row.role);
    INFO("action " << int(row.act) << ", role " << int(row.role));
    CHECK(allowed(row.act, a, a) == row.self);
    CHECK(allowed(row.act, a, same) == row.same);
    CHECK(allowed(row.act, a, other) == row.other);
  }
}

TEST_CASE("templates policy: the table covers every action for every role") {
  constexpr int kActions = int(Act::read_document) + 1, kRoles = int(Who::anonymous) + 1;
  int seen[kActions][kRoles] = {};
  for (const Row& row : kTable) ++seen[int(row.act)][int(row.role)];
  for (int act = 0; act < kActions; ++act)
    for (int role = 0; role < kRoles; ++role) {
      INFO("action " << act << ", role " << role);
      CHECK(seen[act][role] == 1);
    }
}

TEST_CASE("templates policy: a starter template (no owner) is kept by admins alone") {
  const TemplateFacts starter{std::nullopt, false};
  CHECK(can_edit_template(actor_for(Who::admin), starter));
  CHECK_FALSE(can_edit_template(actor_for(Who::mentor), starter));
  CHECK_FALSE(can_edit_template(Actor{}, starter));
  CHECK(can_fork_template(actor_for(Who::member), starter));
  CHECK(can_rate_template(actor_for(Who::member), starter));
}
