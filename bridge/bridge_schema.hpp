// The bridge's tables, in the same migration as discussion's bridge seam.
#pragma once

#include "hub/store/migrations.hpp"

namespace hub::bridge {

// Migration `version`: discussion's seam (origin on events, ghosts, idempotency keys) and the
// bridge's outbox and id map.
store::Migration bridge_migration(int version);

}  // namespace hub::bridge
