#include "hub/store/backup.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <unistd.h>

#include "hub/store/connection.hpp"

namespace hub::store {

http::Status backup_database(const std::string& db_path, const std::string& target) {
  // VACUUM INTO refuses a query_only connection, so this one is read-write; it writes only `target`.
  auto conn = Connection::open(db_path, false);
  // The copy holds everything the 0700 data directory protects, so it is created owner-only from
  // the start (VACUUM INTO would create it 0644 less the umask), and O_EXCL refuses to overwrite.
  // VACUUM INTO accepts an existing empty file.
  const int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return ApiError::conflict("The backup file already exists: " + target);
    return ApiError::unavailable("Cannot create the backup file " + target + ": " + std::strerror(errno));
  }
  ::close(fd);
  auto stmt = conn->prepare("VACUUM INTO ?1");
  stmt.bind(1, std::string_view(target));
  auto copied = stmt.run();
  if (!copied) {
    std::error_code ignored;  // the empty file is ours; a failed backup leaves nothing behind
    std::filesystem::remove(target, ignored);
  }
  return copied;
}

}  // namespace hub::store
