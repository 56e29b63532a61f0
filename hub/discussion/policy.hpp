// Who may do what in discussion, in one place: pure functions over plain facts. Handlers gather
// the facts (the actor's role and cohorts, the channel's cohort, a message's author) and ask here;
// nothing else in hub/discussion compares roles. The whole matrix, as a table, is
// tests/unit/discussion/policy_test.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hub/auth/policy.hpp"

namespace hub::discussion {

// The acting user: user id, role and cohorts.
using auth::Actor;


struct ChannelFacts {
  std::optional<std::int64_t> cohort_id;  // nullopt: a hub-wide channel
  bool archived = false;                  // read-only: its history stays readable
};

struct MessageFacts {
  std::int64_t author_id = 0;
  std::string author_role;
};

// hidden: answered as not_found, so that a channel the actor may not see does not leak.
// archived: the channel is read-only; answered as conflict (409), to those who may see it.
enum class Verdict { allowed, refused, hidden, archived };

namespace policy {

// Hub-wide channels: every signed-in user. A cohort's channels: its members, and admins.
Verdict see_channel(const Actor& actor, const ChannelFacts& channel);
// Admins anywhere; a mentor in a cohort of theirs; hub-wide channels admins only.
Verdict create_channel(const Actor& actor, const ChannelFacts& channel);
// Renaming a channel or changing its topic: whoever may create it, among those who see it.
Verdict rename_channel(const Actor& actor, const ChannelFacts& channel);
// Archiving a channel, or bringing it back: the same people as renaming.
Verdict archive_channel(const Actor& actor, const ChannelFacts& channel);
// Whoever sees the channel, unless muted there; nobody in an archived channel.
Verdict post(const Actor& actor, const ChannelFacts& channel, bool muted);
// Whoever sees the channel, unless it is archived.
Verdict react(const Actor& actor, const ChannelFacts& channel);
// Only the author edits; nobody edits another's words; nobody edits in an archived channel.
Verdict edit_message(const Actor& actor, const ChannelFacts& channel, const MessageFacts& message);
// The author, or a moderator of the channel acting on someone they may moderate. Archiving does
// not stop it: what someone wrote can still be taken back, and harm still removed.
Verdict delete_message(const Actor& actor, const ChannelFacts& channel, const MessageFacts& message);
// A moderator of the channel, on someone they may moderate: a mentor never mutes an admin.
Verdict mute(const Actor& actor, const ChannelFacts& channel, const std::string& target_role);

// A change a bridge applies for a remote user. The actor must be a ghost of the network the
// change came from; it posts and reacts in any bridged channel (the remote room decided who may
// speak there), and edits or deletes only what its remote user wrote. An archived channel takes
// no post, edit or reaction from a bridge either.
enum class BridgedAction { post, edit, remove, react };
struct BridgedActor {
  std::int64_t user_id = 0;
  bool ghost_of_network = false;  // a ghost, of the change's network
};
// `message` is the target (ignored for post); `channel` is where the change lands.
Verdict bridged_change(const BridgedActor& actor, BridgedAction action, const MessageFacts& message,
                       const ChannelFacts& channel);

// Admins moderate every channel; a mentor only the channels of cohorts they belong to (never a
// hub-wide one); members nothing.
bool moderates(const Actor& actor, const ChannelFacts& channel);

// see_channel as a filter a query can bind: a channel is visible when it is hub-wide and
// `hub_wide`, or `every_cohort`, or its cohort is in `cohort_ids`.
struct ChannelScope {
  bool hub_wide = false;
  bool every_cohort = false;
  std::vector<std::int64_t> cohort_ids;
  bool contains(const ChannelFacts& channel) const;
};
ChannelScope visible_channel_scope(const Actor& actor);

}  // namespace policy
}  // namespace hub::discussion
