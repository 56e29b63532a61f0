// The playbooks module's tables: content, revisions, tags, search, proposals, reviews and
// mentoring, and the settings log. Their numbers are given by hub/app.cpp's all_migrations().
#pragma once

#include "hub/store/migrations.hpp"

namespace hub::playbooks {

store::Migration playbooks_migration(int version);
// Who changed a playbook's title, tags or required approvals, when, from what to what.
store::Migration playbook_settings_log_migration(int version);

}  // namespace hub::playbooks
