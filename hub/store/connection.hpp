// One SQLite connection with the settings every connection needs, and its prepared-statement cache.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "hub/http/error.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace hub::store {

// How long a statement waits for another connection's lock before SQLITE_BUSY.
inline constexpr int kBusyTimeoutMs = 5000;

using http::ApiError;
using http::Result;
using http::Status;

// A cached prepared statement, reset and unbound when this handle goes out of scope.
// Binding a statement that has been stepped resets it first, so one handle can run many times.
// A bind that fails is not lost: the next step() (and so run() and each_row()) returns it, until
// the statement is reset or bound afresh after that step.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(Statement&& other) noexcept
      : stmt_(other.stmt_), bind_rc_(other.bind_rc_), step_rc_(other.step_rc_), stepped_(other.stepped_) {
    other.stmt_ = nullptr;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binds by 1-based position.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);
  Statement& bind(int index, const std::optional<std::int64_t>& value);
  Statement& bind(int index, const std::optional<std::string>& value);

  // Advances to the next row: true on a row, false when done. Errors, a failed bind's included,
  // become ApiError (5xx/409).
  [[nodiscard]] Result<bool> step();
  // Runs to completion, ignoring rows.
  [[nodiscard]] Status run();
  // Calls `on_row()` once per row (it reads the columns through this statement); stops at the
  // first storage error.
  template <class OnRow>
  [[nodiscard]] Status each_row(OnRow&& on_row) {
    for (;;) {
      auto row = step();
      if (!row) return row.error();
      if (!*row) return http::Ok{};
      on_row();
    }
  }
  // Rewinds to the first row, keeping the bindings and dropping a pending bind error. Fails only
  // with an error the last step() has not already returned.
  [[nodiscard]] Status reset();

  std::int64_t int64(int column) const;
  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;
  std::optional<std::int64_t> optional_int64(int column) const;
  bool is_null(int column) const;

 private:
  // The statement, reset first if it has been stepped; a failed reset becomes the pending error.
  sqlite3_stmt* for_binding();
  // Keeps the first failed bind's code for the next step().
  Statement& note_bind(int rc);
  // sqlite3_reset's code, or SQLITE_OK when it only repeats the last step's error.
  int reset_code();
  ApiError error(int rc) const;

  sqlite3_stmt* stmt_;  // owned by the connection's cache, not by this handle
  int bind_rc_ = 0;     // SQLITE_OK, or the first failed bind since the last reset
  int step_rc_ = 0;     // what the last sqlite3_step returned, to tell its error from a new one
  bool stepped_ = false;  // stepped since the last reset: the next bind resets first
};

class Connection {
 public:
  // Opens `path` with WAL, synchronous=FULL, foreign_keys=ON and a busy timeout. Throws on failure
  // (start-up only).
  static std::unique_ptr<Connection> open(const std::string& path, bool read_only);
  ~Connection();

  // A statement from the cache, compiled on first use.
  Statement prepare(std::string_view sql);
  // Runs one or more statements with no parameters.
  [[nodiscard]] Status exec(const char* sql);
  std::int64_t last_insert_id() const;
  int changes() const;
  sqlite3* raw() { return db_; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;                                                 // owned; closed in the destructor
  // Looks up a std::string key by string_view, without building a string per query.
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> statements_;  // keyed by SQL text
};

// A storage error as an ApiError: constraint violations are 409, the rest 503 (and logged).
ApiError storage_error(sqlite3* db, int rc, std::string_view what);

}  // namespace hub::store
