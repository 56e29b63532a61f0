// Who may do what in sharing: the readable statement of hub/sharing/policy.cpp. Each line is one
// role and one action; the columns are the relation to what the action is about.
#include <catch2/catch.hpp>

#include <string>

#include "hub/sharing/policy.hpp"

using namespace hub::sharing;

namespace {

// The actor is user 1; "stranger" is signed in with no cohort; the others are in cohort 10.
Actor actor(const std::string& role) {
  if (role == "anonymous") return {};
  if (role == "stranger") return {1, Role::member, {}};
  return {1, role_from(role), {10}};
}

// self: the actor's own row, in the actor's cohort; same cohort: user 2's row, cohort 10;
// other cohort: user 3's row, cohort 20.
enum Relation { self, same_cohort, other_cohort };
constexpr Target kTargets[] = {{1, 10}, {2, 10}, {3, 20}};

constexpr bool Y = true, N = false;

struct Row {
  const char* role;
  Action action;
  bool allowed[3];  // self, same cohort, other cohort
};

// clang-format off
const Row kTable[] = {
  // role         action                        self same other
  {"admin",     Action::create_engagement,     {Y,   N,   N}},
  {"admin",     Action::list_engagements,      {Y,   N,   N}},
  {"admin",     Action::read_engagement,       {Y,   N,   N}},
  {"admin",     Action::update_engagement,     {Y,   N,   N}},
  {"admin",     Action::delete_engagement,     {Y,   N,   N}},
  {"admin",     Action::record_renewal,        {Y,   N,   N}},
  {"admin",     Action::read_rates,            {Y,   Y,   Y}},
  {"admin",     Action::read_position,         {Y,   Y,   Y}},
  {"admin",     Action::close_wave,            {Y,   Y,   Y}},
  {"admin",     Action::read_success,          {Y,   Y,   Y}},

  {"mentor",    Action::create_engagement,     {Y,   N,   N}},
  {"mentor",    Action::list_engagements,      {Y,   N,   N}},
  {"mentor",    Action::read_engagement,       {Y,   N,   N}},
  {"mentor",    Action::update_engagement,     {Y,   N,   N}},
  {"mentor",    Action::delete_engagement,     {Y,   N,   N}},
  {"mentor",    Action::record_renewal,        {Y,   N,   N}},
  {"mentor",    Action::read_rates,            {Y,   Y,   Y}},
  {"mentor",    Action::read_position,         {Y,   Y,   Y}},
  {"mentor",    Action::close_wave,            {N,   N,   N}},
  {"mentor",    Action::read_success,          {Y,   Y,   N}},

  {"member",    Action::create_engagement,     {Y,   N,   N}},
  {"member",    Action::list_engagements,      {Y,   N,   N}},
  {"member",    Action::read_engagement,       {Y,   N,   N}},
  {"member",    Action::update_engagement,     {Y,   N,   N}},
  {"member",    Action::delete_engagement,     {Y,   N,   N}},
  {"member",    Action::record_renewal,        {Y,   N,   N}},
  {"member",    Action::read_rates,            {Y,   Y,   Y}},
  {"member",    Action::read_position,         {Y,   Y,   Y}},
  {"member",    Action::close_wave,            {N,   N,   N}},
  {"member",    Action::read_success,          {Y,   Y,   N}},

  {"stranger",  Action::create_engagement,     {Y,   N,   N}},
  {"stranger",  Action::list_engagements,      {Y,   N,   N}},
  {"stranger",  Action::read_engagement,       {Y,   N,   N}},
  {"stranger",  Action::update_engagement,     {Y,   N,   N}},
  {"stranger",  Action::delete_engagement,     {Y,   N,   N}},
  {"stranger",  Action::record_renewal,        {Y,   N,   N}},
  {"stranger",  Action::read_rates,            {Y,   Y,   Y}},
  {"stranger",  Action::read_position,         {Y,   Y,   Y}},
  {"stranger",  Action::close_wave,            {N,   N,   N}},
  {"stranger",  Action::read_success,          {N,   N,   N}},

  {"anonymous", Action::create_engagement,     {N,   N,   N}},
  {"anonymous", Action::list_engagements,      {N,   N,   N}},
  {"anonymous", Action::read_engagement,       {N,   N,   N}},
  {"anonymous", Action::update_engagement,     {N,   N,   N}},
  {"anonymous", Action::delete_engagement,     {N,   N,   N}},
  {"anonymous", Action::record_renewal,        {N,   N,   N}},
  {"anonymous", Action::read_rates,            {N,   N,   N}},
  {"anonymous", Action::read_position,         {N,   N,   N}},
  {"anonymous", Action::close_wave,            {N,   N,   N}},
  {"anonymous", Action::read_success,          {N,   N,   N}},
};
// clang-format on

}  // namespace

TEST_CASE("sharing policy: role x relation x action, as the table states") {
  for (const auto& row : kTable)
    for (int relation : {self, same_cohort, other_cohort}) {
      INFO(row.role << " action " << static_cast<int>(row.action) << " relation " << relation);
      CHECK(allows(actor(row.role), row.action, kTargets[relation]) == row.allowed[relation]);
    }
}

TEST_CASE("sharing policy: the table covers every role and every action") {
  CHECK(std::size(kTable) == 5 * (static_cast<std::size_t>(Action::read_success) + 1));
}

TEST_CASE("sharing policy: an unknown role or a missing user id is anonymous") {
  CHECK(role_from("owner") == Role::anonymous);
  CHECK_FALSE(allows({0, Role::admin, {10}}, Action::read_rates));
  CHECK_FALSE(allows({7, role_from(""), {10}}, Action::read_success, {0, 10}));
}
