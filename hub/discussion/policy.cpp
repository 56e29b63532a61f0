#include "hub/discussion/policy.hpp"

#include <algorithm>

namespace hub::discussion::policy {
namespace {

bool is_admin(const Actor& a) { return a.role == auth::Role::admin; }
bool is_mentor(const Actor& a) { return a.role == auth::Role::mentor; }
bool signed_in(const Actor& a) { return a.signed_in(); }

bool belongs_to(const Actor& a, std::int64_t cohort_id) {
  return std::find(a.cohort_ids.begin(), a.cohort_ids.end(), cohort_id) != a.cohort_ids.end();
}

// Only an admin acts on an admin.
bool may_moderate_user(const Actor& a, const std::string& target_role) {
  return is_admin(a) || target_role != "admin";
}

Verdict allow_if(bool ok) { return ok ? Verdict::allowed : Verdict::refused; }

// A change to an archived channel's content is refused whoever asks, once they may see it.
Verdict writable(const ChannelFacts& ch) { return ch.archived ? Verdict::archived : Verdict::allowed; }

}  // namespace

ChannelScope visible_channel_scope(const Actor& a) {
  if (!signed_in(a)) return {};
  if (is_admin(a)) return {true, true, {}};
  return {true, false, a.cohort_ids};
}

bool ChannelScope::contains(const ChannelFacts& ch) const {
  if (!ch.cohort_id) return hub_wide;
  return every_cohort || std::find(cohort_ids.begin(), cohort_ids.end(), *ch.cohort_id) != cohort_ids.end();
}

Verdict see_channel(const Actor& a, const ChannelFacts& ch) {
  return visible_channel_scope(a).contains(ch) ? Verdict::allowed : Verdict::hidden;
}

Verdict create_channel(const Actor& a, const ChannelFacts& ch) {
  if (is_admin(a)) return Verdict::allowed;
  return allow_if(is_mentor(a) && ch.cohort_id && belongs_to(a, *ch.cohort_id));
}

Verdict rename_channel(const Actor& a, const ChannelFacts& ch) {
  if (see_channel(a, ch) != Verdict::allowed) return Verdict::hidden;
  return create_channel(a, ch);
}

Verdict archive_channel(const Actor& a, const ChannelFacts& ch) { return rename_channel(a, ch); }

bool moderates(const Actor& a, const ChannelFacts& ch) {
  if (is_admin(a)) return true;
  return is_mentor(a) && ch.cohort_id && belongs_to(a, *ch.cohort_id);
}

Verdict post(const Actor& a, const ChannelFacts& ch, bool muted) {
  if (Verdict v = see_channel(a, ch); v != Verdict::allowed) return v;
  if (Verdict v = writable(ch); v != Verdict::allowed) return v;
  return allow_if(!muted);
}

Verdict react(const Actor& a, const ChannelFacts& ch) {
  if (Verdict v = see_channel(a, ch); v != Verdict::allowed) return v;
  return writable(ch);
}

Verdict edit_message(const Actor& a, const ChannelFacts& ch, const MessageFacts& m) {
  if (Verdict v = see_channel(a, ch); v != Verdict::allowed) return v;
  if (m.author_id != a.user_id) return Verdict::refused;
  return writable(ch);
}

Verdict delete_message(const Actor& a, const ChannelFacts& ch, const MessageFacts& m) {
  if (Verdict v = see_channel(a, ch); v != Verdict::allowed) return v;
  return allow_if(m.author_id == a.user_id || (moderates(a, ch) && may_moderate_user(a, m.author_role)));
}

Verdict mute(const Actor& a, const ChannelFacts& ch, const std::string& target_role) {
  if (Verdict v = see_channel(a, ch); v != Verdict::allowed) return v;
  return allow_if(moderates(a, ch) && may_moderate_user(a, target_role));
}

Verdict bridged_change(const BridgedActor& actor, BridgedAction action, const MessageFacts& message,
                       const ChannelFacts& channel) {
  if (!actor.ghost_of_network) return Verdict::refused;
  switch (action) {
    case BridgedAction::post:
    case BridgedAction::react: return writable(channel);
    case BridgedAction::edit:
      if (message.author_id != actor.user_id) return Verdict::refused;
      return writable(channel);
    case BridgedAction::remove: return allow_if(message.author_id == actor.user_id);
  }
  return Verdict::refused;
}

}  // namespace hub::discussion::policy
