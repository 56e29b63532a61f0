#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "hub/store/backup.hpp"
#include "hub/store/connection.hpp"
#include "tests/unit/support/run_coro.hpp"

using namespace hub::store;
using hub::testing::TempDir;

namespace {

// Sets the process umask for one scope, so the test does not depend on the caller's.
struct Umask {
  explicit Umask(mode_t m) : old(::umask(m)) {}
  ~Umask() { ::umask(old); }
  mode_t old;
};

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("backup: the copy is readable by its owner only, whatever the umask") {
  TempDir dir;
  Umask permissive(022);
  {
    auto c = Connection::open(dir.path + "/db", false);
    REQUIRE(c->exec("CREATE TABLE secrets (v TEXT) STRICT; INSERT INTO secrets VALUES ('x');").ok());
  }
  REQUIRE(backup_database(dir.path + "/db", dir.path + "/copy.db").ok());
  CHECK(mode_of(dir.path + "/copy.db") == 0600);
}
