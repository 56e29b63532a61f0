#include "hub/store/connection.hpp"

#include <cstdio>
#include <stdexcept>

#include <sqlite3.h>

namespace hub::store {

ApiError storage_error(sqlite3* db, int rc, std::string_view what) {
  int primary = rc & 0xff;
  if (primary == SQLITE_CONSTRAINT) return ApiError::conflict("That conflicts with existing data.");
  std::fprintf(stderr, "{\"level\":\"error\",\"what\":\"sqlite\",\"during\":\"%.*s\",\"rc\":%d,\"msg\":\"%s\"}\n",
               static_cast<int>(what.size()), what.data(), rc, db ? sqlite3_errmsg(db) : "");
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_FULL || primary == SQLITE_IOERR)
    return ApiError::unavailable("The database is busy or unavailable; try again.");
  return ApiError::internal("A storage error occurred.");
}

Statement::~Statement() {
  if (stmt_) {
    // The code only repeats the last step's error, which that step returned.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

ApiError Statement::error(int rc) const {
  return storage_error(sqlite3_db_handle(stmt_), rc, sqlite3_sql(stmt_));
}

int Statement::reset_code() {
  const int rc = sqlite3_reset(stmt_);
  const bool repeats_step = rc == step_rc_;
  stepped_ = false;
  bind_rc_ = SQLITE_OK;
  step_rc_ = SQLITE_OK;
  return repeats_step ? SQLITE_OK : rc;
}

Status Statement::reset() {
  if (const int rc = reset_code(); rc != SQLITE_OK) return error(rc);
  return http::Ok{};
}

sqlite3_stmt* Statement::for_binding() {
  if (stepped_) note_bind(reset_code());
  return stmt_;
}

Statement& Statement::note_bind(int rc) {
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Statement& Statement::bind(int i, std::int64_t v) { return note_bind(sqlite3_bind_int64(for_binding(), i, v)); }
Statement& Statement::bind(int i, std::string_view t) {
  return note_bind(sqlite3_bind_text(for_binding(), i, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT));
}
Statement& Statement::bind_blob(int i, std::string_view b) {
  return note_bind(sqlite3_bind_blob(for_binding(), i, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT));
}
Statement& Statement::bind_null(int i) { return note_bind(sqlite3_bind_null(for_binding(), i)); }
Statement& Statement::bind(int i, const std::optional<std::int64_t>& v) { return v ? bind(i, *v) : bind_null(i); }
Statement& Statement::bind(int i, const std::optional<std::string>& v) {
  return v ? bind(i, std::string_view(*v)) : bind_null(i);
}

Result<bool> Statement::step() {
  stepped_ = true;
  // A failed bind left the statement half-bound: it does not run until it is bound afresh.
  if (bind_rc_ != SQLITE_OK) return error(bind_rc_);
  step_rc_ = sqlite3_step(stmt_);
  if (step_rc_ == SQLITE_ROW) return true;
  if (step_rc_ == SQLITE_DONE) return false;
  return error(step_rc_);
}

Status Statement::run() {
  return each_row([] {});
}

std::int64_t Statement::int64(int c) const { return sqlite3_column_int64(stmt_, c); }
std::string Statement::text(int c) const {
  auto p = reinterpret_cast<const char*>(sqlite3_column_blob(stmt_, c));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, c))) : std::string();
}
bool Statement::is_null(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
std::optional<std::string> Statement::optional_text(int c) const {
  return is_null(c) ? std::nullopt : std::optional<std::string>(text(c));
}
std::optional<std::int64_t> Statement::optional_int64(int c) const {
  return is_null(c) ? std::nullopt : std::optional<std::int64_t>(int64(c));
}

std::unique_ptr<Connection> Connection::open(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
              SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw std::runtime_error("cannot open database " + path + ": " + msg);
  }
  std::unique_ptr<Connection> c(new Connection(db));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  sqlite3_extended_result_codes(db, 1);
  // A new connection starts with synchronous=FULL, foreign_keys=0, busy_timeout=0 (PLATFORM.md).
  // The writer says FULL anyway: an acknowledged commit must survive power loss, and NORMAL in WAL
  // does not promise that. Readers never commit, so the default serves them.
  const char* pragmas = read_only ? "PRAGMA foreign_keys=ON; PRAGMA query_only=ON;"
                                  : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;";
  if (auto s = c->exec(pragmas); !s) throw std::runtime_error("cannot configure database " + path);
  return c;
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Statement Connection::prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return Statement(it->second);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                              nullptr);
  // A statement that does not compile is a bug in our SQL, found by the first test that runs it.
  if (rc != SQLITE_OK) throw std::logic_error("bad SQL: " + std::string(sqlite3_errmsg(db_)) + ": " + std::string(sql));
  statements_.emplace(std::string(sql), stmt);
  return Statement(stmt);
}

Status Connection::exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return storage_error(db_, sqlite3_extended_errcode(db_), sql);
  return http::Ok{};
}

std::int64_t Connection::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
int Connection::changes() const { return sqlite3_changes(db_); }

}  // namespace hub::store
