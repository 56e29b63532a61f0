// Online backups: a consistent copy while the hub keeps serving.
#pragma once

#include <string>

#include "hub/http/error.hpp"

namespace hub::store {

// Copies the database at `db_path` into a new file `target` with VACUUM INTO, through its own
// connection, so the running hub carries on. Fails if `target` exists.
http::Status backup_database(const std::string& db_path, const std::string& target);

}  // namespace hub::store
