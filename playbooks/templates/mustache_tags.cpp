#include "playbooks/templates/mustache_tags.hpp"

#include <algorithm>
#include <set>

namespace hub::playbooks::templates {
namespace {

ApiError tag_error(int line, const std::string& message) {
  return ApiError::invalid_field("content", "Line " + std::to_string(line) + " of the body: " + message);
}

bool valid_tag_name(std::string_view n) {
  if (n.empty() || n.size() > 40 || n[0] < 'a' || n[0] > 'z') return false;
  return std::all_of(n.begin(), n.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

std::string_view tag_trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

const Field* find_field(const std::vector<Field>& fields, std::string_view name) {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

struct OpenSection {
  std::string name;
  bool is_list = false;
  int line = 0;
};

}  // namespace

Result<std::vector<TagUse>> scan_tags(std::string_view body, const std::vector<Field>& fields) {
  std::vector<TagUse> uses;
  std::vector<OpenSection> open;
  int line = 1;
  std::size_t pos = 0;
  auto innermost_list = [&]() -> std::string {
    for (auto it = open.rbegin(); it != open.rend(); ++it)
      if (it->is_list) return it->name;
    return "";
  };
  while (true) {
    auto start = body.find("{{", pos);
    line += static_cast<int>(std::count(body.begin() + pos, body.begin() + std::min(start, body.size()), '\n'));
    if (start == std::string_view::npos) break;
    if (start + 2 < body.size() && body[start + 2] == '{')
      return tag_error(line, "unescaped variables ({{{...}}}) are not allowed; use {{name}}.");
    auto end = body.find("}}", start + 2);
    if (end == std::string_view::npos) return tag_error(line, "a tag opened with {{ is never closed with }}.");
    std::string_view inner = body.substr(start + 2, end - start - 2);
    if (inner.find('\n') != std::string_view::npos) return tag_error(line, "a tag must fit on one line.");
    pos = end + 2;
    inner = tag_trim(inner);
    char sigil = inner.empty() ? ' ' : inner.front();
    if (sigil == '!') continue;
    if (sigil == '>') return tag_error(line, "partials ({{> ...}}) are not allowed.");
    if (sigil == '=') return tag_error(line, "delimiter changes ({{= ... =}}) are not allowed.");
    if (sigil == '&') return tag_error(line, "unescaped variables ({{& ...}}) are not allowed; use {{name}}.");
    bool opens = sigil == '#' || sigil == '^', closes = sigil == '/';
    std::string_view name = (opens || closes) ? tag_trim(inner.substr(1)) : inner;
    if (!valid_tag_name(name))
      return tag_error(line, "`{{" + std::string(inner) + "}}` is not a field name (a-z, 0-9 and `_`).");
    if (closes) {
      if (open.empty() || open.back().name != name)
        return tag_error(line, "{{/" + std::string(name) + "}} closes a section that is not open" +
                                   (open.empty() ? "." : "; `" + open.back().name + "` is the section still open."));
      open.pop_back();
      continue;
    }
    std::string list = innermost_list();
    uses.push_back({std::string(name), list, line, opens});
    if (opens) {
      const Field* top = list.empty() ? find_field(fields, name) : nullptr;
      open.push_back({std::string(name), sigil == '#' && top && top->type == FieldType::list, line});
    }
  }
  if (!open.empty())
    return tag_error(open.back().line, "{{#" + open.back().name + "}} is never closed with {{/" + open.back().name + "}}.");
  return uses;
}

http::Status check_declared_fields(const std::vector<TagUse>& uses, const std::vector<Field>& fields) {
  auto refuse = [](const std::string& message) { return ApiError{422, "invalid_field", message, "content"}; };
  std::set<std::string> used;  // "name" or "list.name"
  for (const auto& u : uses) {
    const Field* list = u.list.empty() ? nullptr : find_field(fields, u.list);
    if (list && find_field(list->fields, u.name)) {
      used.insert(u.list + "." + u.name);
      continue;
    }
    const Field* f = find_field(fields, u.name);
    if (!f)
      return refuse("Field `" + u.name + "` is used on line " + std::to_string(u.line) + " but not declared" +
                    (u.list.empty() ? "." : " (neither in list `" + u.list + "` nor at the top)."));
    if (f->type == FieldType::list && !u.section)
      return refuse("List `" + u.name + "` is used as a value on line " + std::to_string(u.line) + "; repeat it with {{#" +
                    u.name + "}}...{{/" + u.name + "}}.");
    used.insert(u.name);
  }
  for (const auto& f : fields) {
    if (!f.sum.empty()) used.insert(f.sum);
  }
  for (const auto& f : fields) {
    if (!used.count(f.name)) return refuse("Field `" + f.name + "` is declared but never used.");
    for (const auto& r : f.fields)
      if (!used.count(f.name + "." + r.name))
        return refuse("Field `" + f.name + "." + r.name + "` is declared but never used inside {{#" + f.name + "}}.");
  }
  return http::Ok{};
}

}  // namespace hub::playbooks::templates
