// Applies the embedded schema migrations, tracked by PRAGMA user_version.
#include <portd/store/migrations.hpp>

#include <algorithm>

namespace portd::store::detail {

namespace {

std::span<const embedded_migration> embedded() {
  return {embedded_migrations, embedded_migration_count};
}

int newest_of(std::span<const embedded_migration> migrations) {
  int newest = 0;
  for (const auto& m : migrations) newest = std::max(newest, m.version);
  return newest;
}

}  // namespace

int newest_schema_version() { return newest_of(embedded()); }

namespace {

void refuse_if_newer(int current, int newest, const std::string& path) {
  if (current > newest) {
    store_error e("database " + path + " has schema version " + std::to_string(current) +
                  ", newer than this portd (" + std::to_string(newest) + "): upgrade portd or restore a backup");
    e.unusable = true;
    throw e;
  }
}

}  // namespace

void migrate(sqlite::database& db, const std::string& path) { migrate(db, path, embedded()); }

void migrate(sqlite::database& db, const std::string& path,
             std::span<const embedded_migration> migrations) {
  const int newest = newest_of(migrations);
  int current = static_cast<int>(db.query_int("PRAGMA user_version"));
  refuse_if_newer(current, newest, path);
  if (current == newest) return;

  sqlite::transaction upgrade(db);  // all migrations or none
  // Another process may have upgraded between our read and the lock.
  current = static_cast<int>(db.query_int("PRAGMA user_version"));
  refuse_if_newer(current, newest, path);
  for (const auto& m : migrations) {
    if (m.version <= current) continue;
    db.exec(m.sql, std::string("schema migration ") + m.name + " failed");
  }
  db.exec("PRAGMA user_version = " + std::to_string(newest));
  upgrade.commit();
}

}  // namespace portd::store::detail
