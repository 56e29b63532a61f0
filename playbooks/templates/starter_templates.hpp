// The starter templates (playbooks/starter/templates/*.md, embedded at build time), imported and
// released as 1.0.0 by `cohorthub init`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hub/store/migrations.hpp"
#include "playbooks/starter.hpp"

namespace hub::playbooks::templates {

// Generated from playbooks/starter/templates/*.md, in name order.
std::vector<StarterFile> starter_template_files();

// Creates each starter template whose slug (the file name) is free, owned by no one (admins keep
// them), with its front matter's `license`, and releases it as 1.0.0; running it again changes
// nothing. Returns how many it created. Throws on failure (it runs from the command line).
int import_starter_templates(const std::string& path, const std::vector<store::Migration>& migrations,
                             std::int64_t now);

}  // namespace hub::playbooks::templates
