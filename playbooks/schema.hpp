// The playbooks module's tables: content, revisions, tags, search, proposals, reviews and
// mentoring. One migration; its number is given by hub/app.cpp's all_migrations().
#pragma once

#include "hub/store/migrations.hpp"

namespace hub::playbooks {

store::Migration playbooks_migration(int version);

}  // namespace hub::playbooks
