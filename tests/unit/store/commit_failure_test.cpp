// A disk that fills up under the store: a failed commit rolls the group back, says disk_full,
// and leaves the repository ready for the next group. The full disk is a VFS shim that fails
// writes on demand, installed as SQLite's default for the duration of a test.
#include <boost/test/unit_test.hpp>

#include "store_fixture.hpp"

#include <cstring>

using namespace portd;
using namespace portd::store;
using namespace portd::store::test;

namespace {

// ---- a pass-through VFS whose writes can be made to fail with SQLITE_FULL -------------------

struct shim_file {
  sqlite3_file base;
  sqlite3_file* real;  // the wrapped file, allocated right after this struct
};

bool g_disk_full = false;
bool g_read_error = false;
sqlite3_vfs* g_real_vfs = nullptr;
sqlite3_vfs g_vfs;

sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<shim_file*>(f)->real; }

int shim_close(sqlite3_file* f) {
  int rc = real_of(f)->pMethods->xClose(real_of(f));
  f->pMethods = nullptr;
  return rc;
}
int shim_read(sqlite3_file* f, void* p, int n, sqlite3_int64 off) {
  if (g_read_error) return SQLITE_IOERR_READ;
  return real_of(f)->pMethods->xRead(real_of(f), p, n, off);
}
int shim_write(sqlite3_file* f, const void* p, int n, sqlite3_int64 off) {
  if (g_disk_full) return SQLITE_FULL;
  return real_of(f)->pMethods->xWrite(real_of(f), p, n, off);
}
int shim_truncate(sqlite3_file* f, sqlite3_int64 size) {
  return real_of(f)->pMethods->xTruncate(real_of(f), size);
}
int shim_sync(sqlite3_file* f, int flags) { return real_of(f)->pMethods->xSync(real_of(f), flags); }
int shim_file_size(sqlite3_file* f, sqlite3_int64* size) {
  return real_of(f)->pMethods->xFileSize(real_of(f), size);
}
int shim_lock(sqlite3_file* f, int l) { return real_of(f)->pMethods->xLock(real_of(f), l); }
int shim_unlock(sqlite3_file* f, int l) { return real_of(f)->pMethods->xUnlock(real_of(f), l); }
int shim_check_reserved(sqlite3_file* f, int* out) {
  return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}
int shim_file_control(sqlite3_file* f, int op, void* arg) {
  return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}
int shim_sector_size(sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
int shim_device(sqlite3_file* f) {
  return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}
int shim_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** pp) {
  return real_of(f)->pMethods->xShmMap(real_of(f), region, size, extend, pp);
}
int shim_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}
void shim_shm_barrier(sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
int shim_shm_unmap(sqlite3_file* f, int del) {
  return real_of(f)->pMethods->xShmUnmap(real_of(f), del);
}
int shim_fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** pp) {
  return real_of(f)->pMethods->xFetch(real_of(f), off, n, pp);
}
int shim_unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return real_of(f)->pMethods->xUnfetch(real_of(f), off, p);
}

const sqlite3_io_methods shim_methods = {
    3,          shim_close,       shim_read,          shim_write,          shim_truncate,
    shim_sync,  shim_file_size,   shim_lock,          shim_unlock,         shim_check_reserved,
    shim_file_control, shim_sector_size, shim_device, shim_shm_map,        shim_shm_lock,
    shim_shm_barrier, shim_shm_unmap, shim_fetch,     shim_unfetch,
};

int shim_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  auto* s = reinterpret_cast<shim_file*>(f);
  s->real = reinterpret_cast<sqlite3_file*>(s + 1);
  std::memset(s->real, 0, static_cast<std::size_t>(g_real_vfs->szOsFile));
  int rc = g_real_vfs->xOpen(g_real_vfs, name, s->real, flags, out_flags);
  s->base.pMethods = s->real->pMethods ? &shim_methods : nullptr;
  return rc;
}
int shim_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return g_real_vfs->xDelete(g_real_vfs, name, sync_dir);
}
int shim_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return g_real_vfs->xAccess(g_real_vfs, name, flags, out);
}
int shim_full_pathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return g_real_vfs->xFullPathname(g_real_vfs, name, n, out);
}

// Installs the shim as the default VFS for the lifetime of the fixture.
struct full_disk_vfs {
  full_disk_vfs() {
    g_real_vfs = sqlite3_vfs_find(nullptr);
    g_vfs = *g_real_vfs;
    g_vfs.iVersion = 2;  // stop at xCurrentTimeInt64: no system-call overrides through the shim
    g_vfs.szOsFile = static_cast<int>(sizeof(shim_file)) + g_real_vfs->szOsFile;
    g_vfs.zName = "portd-full-disk";
    g_vfs.pNext = nullptr;
    g_vfs.xOpen = shim_open;
    g_vfs.xDelete = shim_delete;
    g_vfs.xAccess = shim_access;
    g_vfs.xFullPathname = shim_full_pathname;
    g_disk_full = false;
    sqlite3_vfs_register(&g_vfs, 1);
  }
  ~full_disk_vfs() {
    g_disk_full = false;
    g_read_error = false;
    sqlite3_vfs_unregister(&g_vfs);
    sqlite3_vfs_register(g_real_vfs, 1);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(store_commit_failure)

BOOST_AUTO_TEST_CASE(a_full_disk_at_commit_rolls_the_group_back_and_the_next_group_works) {
  temp_dir dir;
  full_disk_vfs vfs;
  repository repo(dir.db());
  repo.set_sinks({{"webhook:0", {}}});

  auto kept = simple_order("+18015550401");
  repo.begin();
  repo.insert_order(kept);
  repo.commit();

  auto lost = simple_order("+18015550402");
  repo.begin();
  repo.insert_order(lost);
  repo.append_events(lost, std::vector{record(porting::event_type::created, lost.state, lost.state)},
                     at_ms(1));
  repo.update_order(lost);
  g_disk_full = true;
  try {
    repo.commit();
    BOOST_FAIL("the commit succeeded on a full disk");
  } catch (const store_error& e) {
    BOOST_TEST(e.disk_full);
    BOOST_TEST_MESSAGE(e.what());
  }
  g_disk_full = false;
  BOOST_TEST(!repo.in_transaction());
  BOOST_TEST(!repo.load_active(lost.number, porting::order_kind::port_in).has_value());
  BOOST_TEST(!repo.read_latest_for_number(lost.number).has_value());

  // The next group, including the same number, goes through.
  auto again = simple_order("+18015550402");
  repo.begin();
  repo.insert_order(again);
  auto ev = repo.append_events(
      again, std::vector{record(porting::event_type::created, again.state, again.state)}, at_ms(2));
  repo.update_order(again);
  repo.commit();
  BOOST_TEST(repo.read(kept.id).has_value());
  BOOST_TEST((repo.read_latest_for_number(again.number)->id == again.id));
  BOOST_TEST(repo.read_history(again.id).size() == 1u);
  BOOST_TEST(ev[0].seq == 1);
}

BOOST_AUTO_TEST_CASE(units_after_a_failed_commit_start_a_fresh_group) {
  temp_dir dir;
  full_disk_vfs vfs;
  repository repo(dir.db());
  {
    repository::unit u(repo);
    auto o = simple_order("+18015550403");
    repo.insert_order(o);
    u.release();
  }
  g_disk_full = true;
  BOOST_CHECK_THROW(repo.commit(), store_error);
  g_disk_full = false;
  // The failed group is gone; units of the next group work.
  {
    repository::unit u(repo);
    auto o = simple_order("+18015550404");
    repo.insert_order(o);
    u.release();
  }
  repo.commit();
  BOOST_TEST(!repo.read_latest_for_number("+18015550403").has_value());
  BOOST_TEST(repo.read_latest_for_number("+18015550404").has_value());
}

// An I/O error inside a statement makes SQLite roll back the whole transaction by itself.
// The units released before it are gone too, so the group must fail as a whole: a later
// unit must not quietly start (and commit) a transaction of its own.
BOOST_AUTO_TEST_CASE(a_group_that_sqlite_rolled_back_fails_as_a_whole) {
  temp_dir dir;
  full_disk_vfs vfs;
  {
    repository repo(dir.db());
    repo.begin();
    for (int i = 0; i < 2000; ++i) {  // enough pages that a fresh connection must read some
      auto o = simple_order("+1801556" + std::to_string(1000 + i));
      repo.insert_order(o);
    }
    repo.commit();
  }
  repository repo(dir.db());
  repo.begin();
  auto released = simple_order("+18015570001");
  {
    repository::unit u(repo);
    repo.insert_order(released);
    u.release();
  }
  g_read_error = true;
  {
    repository::unit u(repo);
    auto o = simple_order("+18015561500");
    BOOST_CHECK_THROW(repo.insert_order(o), store_error);
  }
  g_read_error = false;
  BOOST_TEST(repo.in_transaction());
  BOOST_CHECK_THROW(repository::unit{repo}, store_error);
  BOOST_CHECK_THROW(repo.begin(), store_error);
  BOOST_CHECK_THROW(repo.commit(), store_error);
  BOOST_TEST(!repo.in_transaction());
  BOOST_TEST(!repo.read_latest_for_number(released.number).has_value());

  auto next = simple_order("+18015570002");
  {
    repository::unit u(repo);
    repo.insert_order(next);
    u.release();
  }
  repo.commit();
  BOOST_TEST(repo.read(next.id).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
