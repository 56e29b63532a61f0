#include "hub/store/migrations.hpp"

#include <stdexcept>

#include <sqlite3.h>

namespace hub::store {

namespace {

int schema_version(Connection& db) {
  // Its own scope: a statement left unfinished would make a migration's DROP TABLE fail
  // ("database table is locked").
  auto stmt = db.prepare("PRAGMA user_version");
  auto row = stmt.step();
  if (!row || !*row) throw std::runtime_error("cannot read the schema version");
  return static_cast<int>(stmt.int64(0));
}

}  // namespace

void migrate(Connection& db, const std::vector<Migration>& migrations) {
  const int current = schema_version(db);
  if (!migrations.empty() && current > migrations.back().version)
    throw std::runtime_error("the database schema (version " + std::to_string(current) +
                             ") is newer than this cohorthub; upgrade the binary");
  int expected = 1;
  for (const auto& m : migrations) {
    if (m.version != expected++) throw std::logic_error("migrations must be numbered 1, 2, 3, ...");
    if (m.version <= current) continue;
    std::string sql = "BEGIN IMMEDIATE;\n" + m.sql + "\nPRAGMA user_version = " + std::to_string(m.version) +
                      ";\nCOMMIT;";
    if (auto s = db.exec(sql.c_str()); !s) {
      // The failure was logged; a transaction left open must not hold the schema half-changed.
      if (!sqlite3_get_autocommit(db.raw())) (void)db.exec("ROLLBACK");
      throw std::runtime_error("migration " + std::to_string(m.version) + " (" + m.name + ") failed");
    }
  }
}

}  // namespace hub::store
