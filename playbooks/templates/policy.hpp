// Who may do what with templates: pure functions over plain facts (the actor, the template's owner
// and license). The whole matrix is tests/unit/templates/policy_test.cpp.
#pragma once

#include <cstdint>
#include <optional>

#include "hub/auth/policy.hpp"

namespace hub::playbooks::templates {

using auth::Actor;

struct TemplateFacts {
  std::optional<std::int64_t> owner_id;  // none for the starter templates
  bool fill_only = false;                // a no-derivatives license
};

// Templates are the whole hub's: everyone signed in sees, fills, creates and forks them.
bool can_read_templates(const Actor& a);
bool can_create_template(const Actor& a);
bool can_render_template(const Actor& a);
// Drafts and pulls are the owner's (admins keep the starter templates); a fill-only template is
// never changed, by anyone.
bool can_edit_template(const Actor& a, const TemplateFacts& t);
// Releasing freezes what is there; the owner (or an admin) decides when.
bool can_release_template(const Actor& a, const TemplateFacts& t);
bool can_fork_template(const Actor& a, const TemplateFacts& t);
// Rating one's own template would be self-promotion.
bool can_rate_template(const Actor& a, const TemplateFacts& t);
// Saved documents hold client details: their author's alone, admins included (404 for others).
bool can_read_document(const Actor& a, std::int64_t document_owner_id);

}  // namespace hub::playbooks::templates
