// Online copies of the database: VACUUM INTO a temporary file, synced, then renamed in place.
#include <portd/store/backup.hpp>
#include <portd/store/sqlite.hpp>

#include <sqlite3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace portd::store {

namespace {

std::string errno_text() { return std::strerror(errno); }

// An empty file next to `dest` that only portd's user may read (mkstemp creates it 0600):
// VACUUM INTO fills a missing or empty file and keeps that mode.
std::string make_temp(const std::filesystem::path& dest) {
  std::string name = dest.string() + ".partial-XXXXXX";
  const int fd = ::mkstemp(name.data());
  if (fd < 0) {
    backup_refused e("cannot create a file in " + dest.parent_path().string() + ": " + errno_text());
    throw e;
  }
  ::close(fd);
  return name;
}

void sync_file(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    store_error e("cannot sync " + path + ": " + errno_text());
    e.disk_full = errno == ENOSPC;
    if (fd >= 0) ::close(fd);
    throw e;
  }
  ::close(fd);
}

// Removes the temporary file unless it was renamed into place.
struct temp_file {
  std::string path;
  bool kept = false;
  ~temp_file() {
    if (!kept) ::unlink(path.c_str());
  }
};

// VACUUM INTO reads the database in one read transaction: one snapshot of committed data,
// compacted (no free pages), with user_version and application_id carried over.
void vacuum_into(sqlite::database& db, const std::string& file) {
  sqlite::statement copy(db, "VACUUM INTO ?1");
  copy.bind(1, std::string_view(file));
  copy.exec();
}

// Syncs `tmp` and renames it to `dest` (never over an existing file unless `replace`), then
// syncs the directory so that the name survives a power loss.
void publish(temp_file& tmp, const std::filesystem::path& dest, bool replace) {
  sync_file(tmp.path, O_RDONLY);
  const int rc = replace ? ::rename(tmp.path.c_str(), dest.c_str())
                         : ::renameat2(AT_FDCWD, tmp.path.c_str(), AT_FDCWD, dest.c_str(), RENAME_NOREPLACE);
  if (rc != 0) {
    if (errno == EEXIST) {
      backup_refused e(dest.string() + " exists (it appeared while the copy was made)");
      e.exists = true;
      throw e;
    }
    throw store_error("cannot rename the copy to " + dest.string() + ": " + errno_text());
  }
  tmp.kept = true;
  auto dir = dest.parent_path();
  sync_file(dir.empty() ? "." : dir.string(), O_RDONLY | O_DIRECTORY);
}

}  // namespace

backup_job::backup_job(std::filesystem::path db, std::filesystem::path dest, bool force)
    : db_(std::move(db)), dest_(std::move(dest)), force_(force) {}

backup_result backup_job::run() {
  if (!dest_.is_absolute()) throw backup_refused("the backup path must be absolute, not " + dest_.string());
  struct stat st {};
  if (::lstat(dest_.c_str(), &st) == 0) {
    if (!force_) {
      backup_refused e(dest_.string() + " exists: choose another name, or replace it with --force");
      e.exists = true;
      throw e;
    }
    if (!S_ISREG(st.st_mode)) throw backup_refused(dest_.string() + " exists and is not a regular file");
  }
  auto dir = dest_.parent_path();
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw backup_refused("the directory " + dir.string() + " does not exist");

  temp_file tmp{make_temp(dest_)};
  backup_result result;
  {
    sqlite::database db(db_.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW);
    sqlite3_busy_timeout(db.handle(), 5000);
    {
      std::lock_guard lock(mutex_);
      if (interrupted_) throw store_error("the backup was interrupted: portd is stopping");
      running_ = db.handle();
    }
    try {
      result.schema_version = db.query_int("PRAGMA user_version");
      vacuum_into(db, tmp.path);
    } catch (const sqlite::error& e) {
      std::lock_guard lock(mutex_);
      running_ = nullptr;
      store_error out(interrupted_ ? std::string("the backup was interrupted: portd is stopping")
                                   : "cannot copy the database to " + tmp.path + ": " + e.what());
      out.disk_full = e.disk_full;
      throw out;
    }
    std::lock_guard lock(mutex_);
    running_ = nullptr;
  }
  publish(tmp, dest_, force_);
  result.path = dest_;
  if (::stat(dest_.c_str(), &st) == 0) result.bytes = st.st_size;
  return result;
}

void backup_job::interrupt() {
  std::lock_guard lock(mutex_);
  interrupted_ = true;
  if (running_) sqlite3_interrupt(running_);
}

void copy_database(sqlite::database& db, const std::filesystem::path& dest) {
  temp_file tmp{make_temp(dest)};
  try {
    vacuum_into(db, tmp.path);
  } catch (const sqlite::error& e) {
    store_error out("cannot copy the database to " + tmp.path + ": " + e.what());
    out.disk_full = e.disk_full;
    throw out;
  }
  publish(tmp, dest, true);
}

}  // namespace portd::store
