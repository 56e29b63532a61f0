// Numbered schema migrations, applied in order and recorded in PRAGMA user_version.
#pragma once

#include <string>
#include <vector>

#include "hub/store/connection.hpp"

namespace hub::store {

struct Migration {
  int version;      // 1, 2, 3, ... with no gaps
  std::string name;
  std::string sql;  // may hold several statements
};

// Applies every migration newer than the database's user_version, each in its own transaction.
// Throws on failure (start-up only), and when the database is newer than this binary.
void migrate(Connection& db, const std::vector<Migration>& migrations);

}  // namespace hub::store
