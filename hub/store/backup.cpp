#include "hub/store/backup.hpp"

#include <filesystem>

#include "hub/store/connection.hpp"

namespace hub::store {

http::Status backup_database(const std::string& db_path, const std::string& target) {
  if (std::filesystem::exists(target)) return ApiError::conflict("The backup file already exists: " + target);
  // VACUUM INTO refuses a query_only connection, so this one is read-write; it writes only `target`.
  auto conn = Connection::open(db_path, false);
  auto stmt = conn->prepare("VACUUM INTO ?1");
  stmt.bind(1, std::string_view(target));
  return stmt.run();
}

}  // namespace hub::store
