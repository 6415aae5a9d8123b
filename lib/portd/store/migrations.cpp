// Applies the embedded schema migrations, tracked by PRAGMA user_version.
#include <portd/store/migrations.hpp>

#include <sqlite3.h>

#include <algorithm>

namespace portd::store::detail {

int newest_schema_version() {
  int newest = 0;
  for (std::size_t i = 0; i < embedded_migration_count; ++i)
    newest = std::max(newest, embedded_migrations[i].version);
  return newest;
}

namespace {

void refuse_if_newer(int current, int newest, const std::string& path) {
  if (current > newest)
    throw store_error("database " + path + " has schema version " + std::to_string(current) +
                      ", newer than this portd (" + std::to_string(newest) +
                      "): upgrade portd or restore a backup");
}

}  // namespace

void migrate(sqlite::database& db, const std::string& path) {
  const int newest = newest_schema_version();
  int current = static_cast<int>(db.query_int("PRAGMA user_version"));
  refuse_if_newer(current, newest, path);
  if (current == newest) return;

  db.exec("BEGIN IMMEDIATE", "cannot start the schema upgrade");
  try {
    // Another process may have upgraded between our read and the lock.
    current = static_cast<int>(db.query_int("PRAGMA user_version"));
    refuse_if_newer(current, newest, path);
    for (std::size_t i = 0; i < embedded_migration_count; ++i) {
      const auto& m = embedded_migrations[i];
      if (m.version <= current) continue;
      db.exec(m.sql, std::string("schema migration ") + m.name + " failed");
    }
    db.exec("PRAGMA user_version = " + std::to_string(newest));
    db.exec("COMMIT", "cannot commit the schema upgrade");
  } catch (...) {
    if (!db.autocommit()) sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace portd::store::detail
