#include "playbooks/settings_log.hpp"

#include <algorithm>

#include "hub/http/clock.hpp"

namespace hub::playbooks {

std::vector<SettingsChange> settings_changes(const Playbook& p, const std::optional<std::string>& title,
                                             const std::optional<std::vector<std::string>>& tags,
                                             const std::optional<int>& required_approvals) {
  std::vector<SettingsChange> out;
  if (title && *title != p.title) out.push_back({"title", p.title, *title});
  if (tags && *tags != p.tags) out.push_back({"tags", p.tags, *tags});
  if (required_approvals && *required_approvals != p.required_approvals)
    out.push_back({"required_approvals", p.required_approvals, *required_approvals});
  return out;
}

const SettingsChange* find_change(const std::vector<SettingsChange>& changes, const std::string& field) {
  auto it = std::find_if(changes.begin(), changes.end(), [&](const SettingsChange& c) { return c.field == field; });
  return it == changes.end() ? nullptr : &*it;
}

bool touches_title_or_tags(const std::vector<SettingsChange>& changes) {
  return find_change(changes, "title") || find_change(changes, "tags");
}

Status record_settings_changes(Connection& db, std::int64_t playbook_id, std::int64_t actor_id,
                               const std::vector<SettingsChange>& changes, std::int64_t now) {
  for (const auto& change : changes) {
    auto s = db.prepare(
        "INSERT INTO playbook_settings_log (playbook_id, actor_id, field, old_value, new_value, at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    const std::string old_value = change.old_value.dump(-1, ' ', false, json::error_handler_t::replace);
    const std::string new_value = change.new_value.dump(-1, ' ', false, json::error_handler_t::replace);
    s.bind(1, playbook_id).bind(2, actor_id).bind(3, std::string_view(change.field));
    s.bind(4, std::string_view(old_value)).bind(5, std::string_view(new_value)).bind(6, now);
    if (auto r = s.run(); !r) return r;
  }
  return http::Ok{};
}

Result<json> list_settings_log(Connection& db, std::int64_t playbook_id, const http::Page& page) {
  auto s = db.prepare(
      "SELECT l.id, l.field, l.old_value, l.new_value, l.at, u.id, u.handle, u.display_name "
      "FROM playbook_settings_log l JOIN users u ON u.id = l.actor_id "
      "WHERE l.playbook_id = ?1 AND (?2 = 0 OR l.id < ?2) ORDER BY l.id DESC LIMIT ?3");
  s.bind(1, playbook_id).bind(2, page.after).bind(3, static_cast<std::int64_t>(page.limit + 1));
  json items = json::array();
  auto read = s.each_row([&] {
    items.push_back({{"id", s.int64(0)},
                     {"field", s.text(1)},
                     {"old", json::parse(s.text(2), nullptr, false)},
                     {"new", json::parse(s.text(3), nullptr, false)},
                     {"at", format_rfc3339(s.int64(4))},
                     {"actor", person_json(s.int64(5), s.text(6), s.text(7))}});
  });
  if (!read) return read.error();
  return http::page_body(std::move(items), page);
}

}  // namespace hub::playbooks
