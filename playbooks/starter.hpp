// The starter playbooks (playbooks/starter/*.md, embedded at build time), imported by
// `cohorthub init`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hub/store/migrations.hpp"

namespace hub::playbooks {

struct StarterFile {
  const char* name;
  std::string_view text;
};

// Generated from playbooks/starter/*.md, in name order.
std::vector<StarterFile> starter_files();

// Opens the database at `path` and creates each starter playbook whose slug is not taken yet, so
// running it again changes nothing and never overwrites a cohort's edits. Returns how many it
// created. Throws on failure (it runs from the command line).
int import_starter_playbooks(const std::string& path, const std::vector<store::Migration>& migrations,
                             std::int64_t now);

}  // namespace hub::playbooks
