// Who may do what in discussion: the whole matrix of hub/discussion/policy.hpp, one row per role
// and channel. docs/discussion.md links here as the statement of the rules.
#include <catch2/catch.hpp>

#include <string>
#include <tuple>
#include <vector>

#include "hub/discussion/policy.hpp"

namespace hub::discussion {
namespace {

constexpr std::int64_t kCohort = 1, kOtherCohort = 2;

// Someone other than the actor, by role, for actions on others' messages and mutes.
constexpr std::int64_t kSomeMember = 50, kSomeAdmin = 51;

Actor actor(const std::string& who) {
  if (who == "admin") return {1, auth::Role::admin, {}};
  if (who == "mentor") return {2, auth::Role::mentor, {kCohort}};
  if (who == "member") return {3, auth::Role::member, {kCohort}};
  if (who == "stranger") return {4, auth::Role::member, {}};  // signed in, in no cohort
  return {};                                         // anonymous
}

ChannelFacts channel(const std::string& where) {
  if (where == "same cohort") return {kCohort};
  if (where == "other cohort") return {kOtherCohort};
  return {};  // hub-wide
}

// Y allowed, - refused (403), h hidden (404), a archived (409).
char mark(Verdict v) {
  switch (v) {
    case Verdict::allowed: return 'Y';
    case Verdict::refused: return '-';
    case Verdict::hidden: return 'h';
    case Verdict::archived: return 'a';
  }
  return '?';
}

struct Row {
  const char* role;
  const char* where;
  // see, create channel, post, post while muted, react, edit own, edit a member's, delete own,
  // delete a member's, delete an admin's, mute a member, mute an admin
  const char* verdicts;
};

// clang-format off
const std::vector<Row> kMatrix = {
  //  role         channel           see cre pst mut rea e.o e.m d.o d.m d.a m.m m.a
  {"admin",     "same cohort",     "Y   Y   Y   -   Y   Y   -   Y   Y   Y   Y   Y"},
  {"admin",     "other cohort",    "Y   Y   Y   -   Y   Y   -   Y   Y   Y   Y   Y"},
  {"admin",     "hub-wide",        "Y   Y   Y   -   Y   Y   -   Y   Y   Y   Y   Y"},
  {"mentor",    "same cohort",     "Y   Y   Y   -   Y   Y   -   Y   Y   -   Y   -"},
  {"mentor",    "other cohort",    "h   -   h   h   h   h   h   h   h   h   h   h"},
  {"mentor",    "hub-wide",        "Y   -   Y   -   Y   Y   -   Y   -   -   -   -"},
  {"member",    "same cohort",     "Y   -   Y   -   Y   Y   -   Y   -   -   -   -"},
  {"member",    "other cohort",    "h   -   h   h   h   h   h   h   h   h   h   h"},
  {"member",    "hub-wide",        "Y   -   Y   -   Y   Y   -   Y   -   -   -   -"},
  {"stranger",  "same cohort",     "h   -   h   h   h   h   h   h   h   h   h   h"},
  {"stranger",  "other cohort",    "h   -   h   h   h   h   h   h   h   h   h   h"},
  {"stranger",  "hub-wide",        "Y   -   Y   -   Y   Y   -   Y   -   -   -   -"},
  {"anonymous", "same cohort",     "h   -   h   h   h   h   h   h   h   h   h   h"},
  {"anonymous", "other cohort",    "h   -   h   h   h   h   h   h   h   h   h   h"},
  {"anonymous", "hub-wide",        "h   -   h   h   h   h   h   h   h   h   h   h"},
};
// clang-format on

std::string verdicts(const Actor& a, const ChannelFacts& ch) {
  const MessageFacts own{a.user_id, std::string(auth::role_name(a.role))}, members{kSomeMember, "member"}, admins{kSomeAdmin, "admin"};
  const std::vector<Verdict> row = {
      policy::see_channel(a, ch),           policy::create_channel(a, ch),
      policy::post(a, ch, false),           policy::post(a, ch, true),
      policy::react(a, ch),                 policy::edit_message(a, ch, own),
      policy::edit_message(a, ch, members), policy::delete_message(a, ch, own),
      policy::delete_message(a, ch, members), policy::delete_message(a, ch, admins),
      policy::mute(a, ch, "member"),        policy::mute(a, ch, "admin"),
  };
  std::string out;
  for (Verdict v : row) out += std::string(out.empty() ? "" : "   ") + mark(v);
  return out;
}

}  // namespace

TEST_CASE("discussion policy: role x channel x action, as the table says") {
  for (const Row& r : kMatrix) {
    INFO(r.role << " in a " << r.where << " channel");
    CHECK(verdicts(actor(r.role), channel(r.where)) == r.verdicts);
  }
}

TEST_CASE("discussion policy: the visible-channel scope that queries bind agrees with see_channel") {
  for (const Row& r : kMatrix) {
    INFO(r.role << " in a " << r.where << " channel");
    const Actor a = actor(r.role);
    const ChannelFacts ch = channel(r.where);
    CHECK(policy::visible_channel_scope(a).contains(ch) == (policy::see_channel(a, ch) == Verdict::allowed));
  }
  CHECK(policy::visible_channel_scope(actor("admin")).every_cohort);
  CHECK_FALSE(policy::visible_channel_scope(actor("mentor")).every_cohort);
  CHECK(policy::visible_channel_scope(actor("mentor")).cohort_ids == std::vector<std::int64_t>{kCohort});
  CHECK_FALSE(policy::visible_channel_scope(actor("anonymous")).hub_wide);
}

TEST_CASE("discussion policy: renaming a channel is for whoever may create it there, others see nothing to rename") {
  // role, channel, verdict: Y allowed, - refused (403), h hidden (404)
  const std::vector<std::tuple<const char*, const char*, char>> table = {
      {"admin", "same cohort", 'Y'},     {"admin", "other cohort", 'Y'},     {"admin", "hub-wide", 'Y'},
      {"mentor", "same cohort", 'Y'},    {"mentor", "other cohort", 'h'},    {"mentor", "hub-wide", '-'},
      {"member", "same cohort", '-'},    {"member", "other cohort", 'h'},    {"member", "hub-wide", '-'},
      {"stranger", "same cohort", 'h'},  {"stranger", "other cohort", 'h'},  {"stranger", "hub-wide", '-'},
      {"anonymous", "same cohort", 'h'}, {"anonymous", "other cohort", 'h'}, {"anonymous", "hub-wide", 'h'},
  };
  for (const auto& [role, where, verdict] : table) {
    INFO(role << " renaming a " << where << " channel");
    CHECK(mark(policy::rename_channel(actor(role), channel(where))) == verdict);
  }
}

TEST_CASE("discussion policy: archiving is for whoever may rename, an archived channel is read-only to everyone") {
  // clang-format off
  struct ArchivedRow { const char* role; const char* where; const char* verdicts; };
  // In an archived channel: archive/unarchive, see, post, react, edit own, edit a member's,
  // delete own, delete a member's, delete an admin's, mute a member
  const std::vector<ArchivedRow> rows = {
    //  role         channel           arc see pst rea e.o e.m d.o d.m d.a m.m
    {"admin",     "same cohort",     "Y   Y   a   a   a   -   Y   Y   Y   Y"},
    {"admin",     "other cohort",    "Y   Y   a   a   a   -   Y   Y   Y   Y"},
    {"admin",     "hub-wide",        "Y   Y   a   a   a   -   Y   Y   Y   Y"},
    {"mentor",    "same cohort",     "Y   Y   a   a   a   -   Y   Y   -   Y"},
    {"mentor",    "other cohort",    "h   h   h   h   h   h   h   h   h   h"},
    {"mentor",    "hub-wide",        "-   Y   a   a   a   -   Y   -   -   -"},
    {"member",    "same cohort",     "-   Y   a   a   a   -   Y   -   -   -"},
    {"member",    "other cohort",    "h   h   h   h   h   h   h   h   h   h"},
    {"member",    "hub-wide",        "-   Y   a   a   a   -   Y   -   -   -"},
    {"stranger",  "same cohort",     "h   h   h   h   h   h   h   h   h   h"},
    {"stranger",  "other cohort",    "h   h   h   h   h   h   h   h   h   h"},
    {"stranger",  "hub-wide",        "-   Y   a   a   a   -   Y   -   -   -"},
    {"anonymous", "same cohort",     "h   h   h   h   h   h   h   h   h   h"},
    {"anonymous", "other cohort",    "h   h   h   h   h   h   h   h   h   h"},
    {"anonymous", "hub-wide",        "h   h   h   h   h   h   h   h   h   h"},
  };
  // clang-format on
  for (const auto& r : rows) {
    INFO(r.role << " in an archived " << r.where << " channel");
    const Actor a = actor(r.role);
    ChannelFacts ch = channel(r.where);
    ch.archived = true;
    const MessageFacts own{a.user_id, std::string(auth::role_name(a.role))}, members{kSomeMember, "member"},
        admins{kSomeAdmin, "admin"};
    std::string got;
    for (Verdict v : {policy::archive_channel(a, ch), policy::see_channel(a, ch), policy::post(a, ch, false),
                      policy::react(a, ch), policy::edit_message(a, ch, own), policy::edit_message(a, ch, members),
                      policy::delete_message(a, ch, own), policy::delete_message(a, ch, members),
                      policy::delete_message(a, ch, admins), policy::mute(a, ch, "member")})
      got += std::string(got.empty() ? "" : "   ") + mark(v);
    CHECK(got == r.verdicts);
    // Bringing it back is decided as archiving it was: on the channel as it is.
    ch.archived = false;
    CHECK(policy::archive_channel(a, ch) == policy::rename_channel(a, ch));
  }
}

TEST_CASE("discussion policy: moderation is an admin's everywhere, a mentor's only in their cohorts") {
  CHECK(policy::moderates(actor("admin"), channel("hub-wide")));
  CHECK(policy::moderates(actor("mentor"), channel("same cohort")));
  CHECK_FALSE(policy::moderates(actor("mentor"), channel("hub-wide")));
  CHECK_FALSE(policy::moderates(actor("mentor"), channel("other cohort")));
  CHECK_FALSE(policy::moderates(actor("member"), channel("same cohort")));
  // A mentor of two cohorts moderates both.
  CHECK(policy::moderates(Actor{2, auth::Role::mentor, {kCohort, kOtherCohort}}, channel("other cohort")));
}

TEST_CASE("discussion policy: a bridged change needs a ghost of its network, ghosts edit and delete only their own") {
  using policy::BridgedAction;
  const MessageFacts own{60, "member"}, others{kSomeMember, "member"};
  // clang-format off
  // post, react, edit own/other, delete own/other
  struct BridgedRow { bool ghost_of_network; bool archived; const char* verdicts; };
  const std::vector<BridgedRow> rows = {
    {true,  false, "Y Y Y - Y -"},
    {false, false, "- - - - - -"},  // a hub user, or a ghost of another network
    {true,  true,  "a a a - Y -"},  // an archived channel: only taking one's words back
    {false, true,  "- - - - - -"},
  };
  // clang-format on
  for (const auto& row : rows) {
    INFO("ghost of the network: " << row.ghost_of_network << ", archived: " << row.archived);
    const policy::BridgedActor a{60, row.ghost_of_network};
    ChannelFacts ch = channel("hub-wide");
    ch.archived = row.archived;
    std::string got;
    for (auto [action, target] : {std::pair{BridgedAction::post, own}, std::pair{BridgedAction::react, others},
                                  std::pair{BridgedAction::edit, own}, std::pair{BridgedAction::edit, others},
                                  std::pair{BridgedAction::remove, own}, std::pair{BridgedAction::remove, others}})
      got += std::string(got.empty() ? "" : " ") + mark(policy::bridged_change(a, action, target, ch));
    CHECK(got == row.verdicts);
  }
}

}  // namespace hub::discussion
