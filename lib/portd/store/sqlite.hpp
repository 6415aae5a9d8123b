// A thin RAII layer over the SQLite C API: a connection, a prepared statement, and errors that
// carry SQLite's own message. Private to the store module.
#pragma once
#include <portd/store/repository.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace portd::store::sqlite {

// A failed SQLite call. `code` is the extended result code (e.g. SQLITE_CONSTRAINT_UNIQUE);
// `disk_full` is set for SQLITE_FULL.
struct error : store_error {
  error(std::string what, int extended_code);
  int code;
  int primary_code() const { return code & 0xff; }
};

// Re-throws an SQLite failure as a store_error with `context` before SQLite's words, keeping
// its flags (disk_full, unusable, read_only).
[[noreturn]] void fail(std::string_view context, const error& e);

// A part's statements, prepared by T's constructor; an SQLite failure becomes a store_error
// that says `what` ("cannot prepare the outbox statements").
template <class T, class... Args>
std::unique_ptr<T> make_prepared(std::string_view what, Args&... args) {
  try {
    return std::make_unique<T>(args...);
  } catch (const error& e) {
    fail(what, e);
  }
}

// One connection. Closed on destruction (statements must be destroyed first).
class database {
 public:
  // Opens `path` with the given sqlite3_open_v2 flags (SQLITE_OPEN_* values).
  // Throws error naming the path and SQLite's message.
  database(const std::string& path, int flags);
  ~database();
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  sqlite3* handle() const { return db_; }
  // Runs one or more statements with no results. Throws error prefixed with `context`.
  void exec(std::string_view sql, std::string_view context = {});
  // Runs a query returning one integer (e.g. a PRAGMA). Throws error.
  std::int64_t query_int(std::string_view sql);
  // Runs a query returning one text value (e.g. PRAGMA journal_mode=WAL). Throws error.
  std::string query_text(std::string_view sql);
  bool autocommit() const;
  std::int64_t last_insert_rowid() const;
  int changes() const;
  // An error built from the connection's current message; read it before anything else runs.
  error make_error(std::string_view context, int rc) const;

 private:
  sqlite3* db_ = nullptr;
};

// A prepared statement, built once and reused: bind, step, read columns, reset.
class statement {
 public:
  statement() = default;
  // Prepares `sql` (one statement) as a persistent statement. Throws error.
  statement(database& db, std::string_view sql);
  ~statement();
  statement(statement&& other) noexcept;
  statement& operator=(statement&& other) noexcept;
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  // Parameters are 1-based, as in SQL (?1, ?2 …). Text is bound without a copy (the intake path
  // binds dozens of strings per order), so it must outlive the step; temporaries are refused.
  statement& bind(int index, std::int64_t value);
  statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value)); }
  statement& bind(int index, std::string_view value);  // no copy: must outlive step()
  statement& bind(int index, std::string&& value) = delete;
  statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  statement& bind_null(int index);
  template <class T>
  statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  // Advances: true when a row is available, false when done. Throws error (the statement is
  // reset first so that it does not hold a transaction or lock).
  bool step();
  // Steps to completion, ignoring rows, then resets. Throws error.
  void exec();
  // Makes the statement reusable and drops its bindings (and releases its read snapshot).
  void reset() noexcept;

  bool is_null(int column) const;
  std::int64_t column_int64(int column) const;
  int column_int(int column) const { return static_cast<int>(column_int64(column)); }
  bool column_bool(int column) const { return column_int64(column) != 0; }
  std::string column_text(int column) const;
  std::optional<std::int64_t> column_opt_int64(int column) const;

  database& db() const { return *db_; }
  bool valid() const { return stmt_ != nullptr; }

 private:
  database* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement when the scope ends, whatever happened: a statement left mid-step would
// keep its read snapshot (reader) or block ROLLBACK TO (writer).
class reset_on_exit {
 public:
  explicit reset_on_exit(statement& s) : s_(s) {}
  ~reset_on_exit() { s_.reset(); }
  reset_on_exit(const reset_on_exit&) = delete;
  reset_on_exit& operator=(const reset_on_exit&) = delete;

 private:
  statement& s_;
};

// A write transaction (BEGIN IMMEDIATE) that rolls back unless commit() was called.
class transaction {
 public:
  // Begins; throws error (e.g. SQLITE_BUSY after the busy timeout).
  explicit transaction(database& db);
  ~transaction();
  // Commits; throws error, and the destructor then rolls back what is left.
  void commit();
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;

 private:
  database& db_;
  bool done_ = false;
};

}  // namespace portd::store::sqlite
