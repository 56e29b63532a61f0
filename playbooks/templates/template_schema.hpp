// The templates tables (one migration): templates and their append-only revisions (content in the
// playbooks' blob store), releases, tags, usage, ratings and sealed saved documents.
#pragma once

#include "hub/store/migrations.hpp"

namespace hub::playbooks::templates {

// REQUIRES: `version` is the next free migration number, after the playbooks' tables.
store::Migration templates_migration(int version);

}  // namespace hub::playbooks::templates
