// Releases: semver versions, and the smallest bump a change of the field schema allows.
// Removing or retyping a field, making one required, adding a required one or removing a choice's
// option is major; adding an optional field or an option is minor; anything else (text, labels,
// help, defaults) is patch.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "playbooks/templates/field_schema.hpp"

namespace hub::playbooks::templates {

struct Version {
  int major = 0, minor = 0, patch = 0;
  std::string text() const;
  auto operator<=>(const Version&) const = default;
};

enum class Bump { patch = 0, minor = 1, major = 2 };
const char* bump_name(Bump b);

// "MAJOR.MINOR.PATCH", each 0-99999 without leading zeros.
std::optional<Version> parse_version(std::string_view text);

// The smallest bump from the schema `before` to `after`, with the first field that forced it.
struct RequiredBump {
  Bump bump = Bump::patch;
  std::string reason;  // e.g. "field `po_number` was removed"; empty for patch
};
RequiredBump required_bump(const std::vector<Field>& before, const std::vector<Field>& after);

// What `to` bumps from `from`: nullopt when `to` is not greater.
std::optional<Bump> bump_between(const Version& from, const Version& to);

}  // namespace hub::playbooks::templates
