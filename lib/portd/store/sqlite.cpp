// The RAII SQLite layer: connections, prepared statements, errors with SQLite's own words.
#include <portd/store/sqlite.hpp>

#include <sqlite3.h>

#include <utility>

namespace portd::store::sqlite {

error::error(std::string what, int extended_code)
    : store_error(std::move(what)), code(extended_code) {
  disk_full = (extended_code & 0xff) == SQLITE_FULL;
  unusable = (extended_code & 0xff) == SQLITE_NOTADB || (extended_code & 0xff) == SQLITE_CORRUPT;
  read_only = (extended_code & 0xff) == SQLITE_READONLY;
}

void fail(std::string_view context, const error& e) {
  store_error out(std::string(context) + ": " + e.what());
  out.disk_full = e.disk_full;
  out.unusable = e.unusable;
  out.read_only = e.read_only;
  throw out;
}

namespace {

// Process-wide settings, applied before SQLite initialises (a no-op if something in the
// process initialised it first). Memory statistics take a global mutex on every allocation,
// about a tenth of the cost of writing an order; portd never reads them. A savepoint journal
// (one per repository::unit) is kept in memory in one 128 KiB chunk before it would spill to
// a file: an in-memory journal proper (temp_store=MEMORY) grows in 1 KiB chunks, ~50
// allocations per order written. Not more: with a spill threshold of 200 KB or more, SQLite
// 3.40 fails the spill itself with SQLITE_FULL ("database or disk is full"), so any unit that
// journals more than that (a redelivery of many dead letters) failed as if the disk were full.
void configure_once() {
  static const bool done = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 128 * 1024);
    return true;
  }();
  (void)done;
}

}  // namespace

database::database(const std::string& path, int flags) {
  configure_once();
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_EXRESCODE, nullptr);
  if (rc != SQLITE_OK) {
    // The handle (when there is one) holds the message: read it before closing.
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    int code = db_ ? sqlite3_extended_errcode(db_) : rc;
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw error("cannot open database " + path + ": " + msg, code);
  }
  sqlite3_extended_result_codes(db_, 1);
  // Larger lookaside slots: an order's 41 columns and its statements' values fit without
  // malloc. (Allowed only before the connection has allocated any; failure is harmless.)
  sqlite3_db_config(db_, SQLITE_DBCONFIG_LOOKASIDE, nullptr, 1024, 512);
}

database::~database() { sqlite3_close_v2(db_); }

error database::make_error(std::string_view context, int rc) const {
  std::string msg = sqlite3_errmsg(db_);
  int code = sqlite3_extended_errcode(db_);
  if (code == SQLITE_OK) code = rc;
  std::string what;
  if (!context.empty()) {
    what.append(context);
    what.append(": ");
  }
  what.append(msg);
  return error(std::move(what), code);
}

void database::exec(std::string_view sql, std::string_view context) {
  // sqlite3_exec needs a terminated string; callers pass literals or std::string data.
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) throw make_error(context, rc);
}

std::int64_t database::query_int(std::string_view sql) {
  statement s(*this, sql);
  if (!s.step()) throw error("no result from " + std::string(sql), SQLITE_ERROR);
  return s.column_int64(0);
}

std::string database::query_text(std::string_view sql) {
  statement s(*this, sql);
  if (!s.step()) throw error("no result from " + std::string(sql), SQLITE_ERROR);
  return s.column_text(0);
}

bool database::autocommit() const { return sqlite3_get_autocommit(db_) != 0; }
std::int64_t database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int database::changes() const { return sqlite3_changes(db_); }

statement::statement(database& db, std::string_view sql) : db_(&db) {
  int rc = sqlite3_prepare_v3(db.handle(), sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    auto e = db.make_error("cannot prepare \"" + std::string(sql.substr(0, 60)) + "\"", rc);
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    throw e;
  }
}

statement::~statement() { sqlite3_finalize(stmt_); }

statement::statement(statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

statement& statement::operator=(statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

namespace {
void check_bind(database& db, int rc) {
  if (rc != SQLITE_OK) throw db.make_error("cannot bind a parameter", rc);
}
}  // namespace

statement& statement::bind(int index, std::int64_t value) {
  check_bind(*db_, sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

statement& statement::bind(int index, std::string_view value) {
  // A non-null pointer even for "", so that the column stores '' and not NULL.
  check_bind(*db_, sqlite3_bind_text(stmt_, index, value.empty() ? "" : value.data(),
                                     static_cast<int>(value.size()), SQLITE_STATIC));
  return *this;
}

statement& statement::bind_null(int index) {
  check_bind(*db_, sqlite3_bind_null(stmt_, index));
  return *this;
}

bool statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  auto e = db_->make_error({}, rc);  // the message first: reset may replace it
  reset();
  throw e;
}

void statement::exec() {
  reset_on_exit guard(*this);
  while (step()) {
  }
}

void statement::reset() noexcept {
  if (!stmt_) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t statement::column_int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string statement::column_text(int column) const {
  auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}

std::optional<std::int64_t> statement::column_opt_int64(int column) const {
  if (is_null(column)) return std::nullopt;
  return column_int64(column);
}

transaction::transaction(database& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE", "cannot begin a transaction");
}

transaction::~transaction() {
  // SQLite may already have rolled back after an I/O error; ROLLBACK would then only fail.
  if (!done_ && !db_.autocommit())
    sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void transaction::commit() {
  db_.exec("COMMIT", "cannot commit");
  done_ = true;
}

}  // namespace portd::store::sqlite
