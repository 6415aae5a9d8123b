// Consistent copies of the database while portd runs (portctl backup) and before a schema
// migration. A copy is made by VACUUM INTO on a connection of its own, so it is one snapshot
// of committed data: WAL lets that reader run while the writer keeps committing.
#pragma once
#include <portd/service/queries.hpp>
#include <portd/store/repository.hpp>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>

struct sqlite3;

namespace portd::store {

namespace sqlite {
class database;
}

// A backup the operator asked for refused before anything was written: the target exists
// (without force), is not absolute, or its directory is missing.
struct backup_refused : store_error {
  using store_error::store_error;
  bool exists = false;
};

using service::backup_result;  // service/queries.hpp

// One copy of the database at `db` into `dest`. run() may be called from any thread (it opens
// its own connection, used by that thread only); interrupt() from another one stops it.
class backup_job {
 public:
  backup_job(std::filesystem::path db, std::filesystem::path dest, bool force);

  // Writes the copy to a temporary file next to `dest` (mode 0600), syncs it, renames it onto
  // `dest` (replacing a file there only when `force`) and syncs the directory: `dest` is
  // either the whole copy or untouched. Throws backup_refused, or store_error (disk full, I/O,
  // interrupted), having removed the temporary file.
  backup_result run();
  // Makes a running run() fail soon with "interrupted" (portd is stopping).
  void interrupt();

 private:
  std::filesystem::path db_, dest_;
  bool force_;
  std::mutex mutex_;
  sqlite3* running_ = nullptr;  // the connection of run(), while it copies
  bool interrupted_ = false;
};

// The copy before a migration: `db` (open, not in a transaction) into `dest`, replacing an
// older copy there. Throws store_error.
void copy_database(sqlite::database& db, const std::filesystem::path& dest);

}  // namespace portd::store
