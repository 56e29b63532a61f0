#include "playbooks/templates/policy.hpp"

namespace hub::playbooks::templates {
namespace {

bool owns(const Actor& a, const TemplateFacts& t) { return a.signed_in() && t.owner_id == a.user_id; }

}  // namespace

bool can_read_templates(const Actor& a) { return a.signed_in(); }
bool can_create_template(const Actor& a) { return a.signed_in(); }
bool can_render_template(const Actor& a) { return a.signed_in(); }

bool can_edit_template(const Actor& a, const TemplateFacts& t) {
  return !t.fill_only && (owns(a, t) || (a.signed_in() && a.is_admin()));
}

bool can_release_template(const Actor& a, const TemplateFacts& t) {
  return owns(a, t) || (a.signed_in() && a.is_admin());
}

bool can_fork_template(const Actor& a, const TemplateFacts& t) { return a.signed_in() && !t.fill_only; }

bool can_rate_template(const Actor& a, const TemplateFacts& t) { return a.signed_in() && !owns(a, t); }

bool can_read_document(const Actor& a, std::int64_t document_owner_id) {
  return a.signed_in() && a.user_id == document_owner_id;
}

}  // namespace hub::playbooks::templates
