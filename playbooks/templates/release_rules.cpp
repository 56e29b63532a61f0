#include "playbooks/templates/release_rules.hpp"

#include <charconv>

namespace hub::playbooks::templates {
namespace {

const Field* field_named(const std::vector<Field>& fields, const std::string& name) {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

void raise_bump(RequiredBump& r, Bump b, std::string reason) {
  if (b > r.bump) r = {b, std::move(reason)};
}

void compare_fields(const std::vector<Field>& before, const std::vector<Field>& after, const std::string& prefix,
                    RequiredBump& r) {
  for (const auto& old : before) {
    const Field* now = field_named(after, old.name);
    std::string name = "`" + prefix + old.name + "`";
    if (!now) {
      raise_bump(r, Bump::major, "field " + name + " was removed");
      continue;
    }
    if (now->type != old.type) raise_bump(r, Bump::major, "field " + name + " changed type");
    if (now->required && !old.required) raise_bump(r, Bump::major, "field " + name + " became required");
    for (const auto& o : old.options)
      if (std::find(now->options.begin(), now->options.end(), o) == now->options.end())
        raise_bump(r, Bump::major, "option `" + o + "` of field " + name + " was removed");
    for (const auto& o : now->options)
      if (std::find(old.options.begin(), old.options.end(), o) == old.options.end())
        raise_bump(r, Bump::minor, "option `" + o + "` was added to field " + name);
    if (now->sum != old.sum) raise_bump(r, Bump::minor, "the sum of field " + name + " changed");
    compare_fields(old.fields, now->fields, prefix + old.name + ".", r);
  }
  for (const auto& now : after) {
    if (field_named(before, now.name)) continue;
    std::string name = "`" + prefix + now.name + "`";
    if (now.required) raise_bump(r, Bump::major, "required field " + name + " was added");
    else raise_bump(r, Bump::minor, "optional field " + name + " was added");
  }
}

}  // namespace

std::string Version::text() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

const char* bump_name(Bump b) { return b == Bump::major ? "major" : b == Bump::minor ? "minor" : "patch"; }

std::optional<Version> parse_version(std::string_view text) {
  int parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    auto end = i < 2 ? text.find('.') : text.size();
    if (end == std::string_view::npos || end == 0 || end > 5) return std::nullopt;
    std::string_view digits = text.substr(0, end);
    if (digits.size() > 1 && digits[0] == '0') return std::nullopt;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), parts[i]);
    if (ec != std::errc() || p != digits.data() + digits.size()) return std::nullopt;
    text.remove_prefix(i < 2 ? end + 1 : end);
  }
  return Version{parts[0], parts[1], parts[2]};
}

RequiredBump required_bump(const std::vector<Field>& before, const std::vector<Field>& after) {
  RequiredBump r;
  compare_fields(before, after, "", r);
  return r;
}

std::optional<Bump> bump_between(const Version& from, const Version& to) {
  if (to <= from) return std::nullopt;
  if (to.major != from.major) return Bump::major;
  if (to.minor != from.minor) return Bump::minor;
  return Bump::patch;
}

}  // namespace hub::playbooks::templates
