// The audit trail of a playbook's settings: each change of title, tags or required approvals,
// with who made it, when, and the values before and after. Admins read it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hub/http/pagination.hpp"
#include "hub/store/connection.hpp"
#include "playbooks/playbook_store.hpp"

namespace hub::playbooks {

struct SettingsChange {
  std::string field;  // "title" | "tags" | "required_approvals"
  json old_value;
  json new_value;
};

// What setting each given value on `p` would change; a value equal to the current one is no change.
std::vector<SettingsChange> settings_changes(const Playbook& p, const std::optional<std::string>& title,
                                             const std::optional<std::vector<std::string>>& tags,
                                             const std::optional<int>& required_approvals);
bool touches_title_or_tags(const std::vector<SettingsChange>& changes);
const SettingsChange* find_change(const std::vector<SettingsChange>& changes, const std::string& field);

Status record_settings_changes(Connection& db, std::int64_t playbook_id, std::int64_t actor_id,
                               const std::vector<SettingsChange>& changes, std::int64_t now);

// Newest first: {items:[{id, field, old, new, at, actor}], next_cursor}.
Result<json> list_settings_log(Connection& db, std::int64_t playbook_id, const http::Page& page);

}  // namespace hub::playbooks
