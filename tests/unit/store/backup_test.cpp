// backup_job: a copy of the database that is whole, private, never half-written, and never
// replaces a file unless asked to.
#include <boost/test/unit_test.hpp>

#include "store_fixture.hpp"

#include <portd/store/backup.hpp>
#include <portd/store/migrations.hpp>

#include <fstream>
#include <sys/stat.h>

using namespace portd;
using namespace portd::store;
using namespace portd::store::test;

namespace {

std::size_t partial_files(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    n += e.path().filename().string().find(".partial-") != std::string::npos;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_backup)

// The copy is taken while the repository is open with a group uncommitted: it holds what is
// committed and nothing else, passes integrity_check, and only portd's user may read it.
BOOST_AUTO_TEST_CASE(a_copy_holds_what_is_committed_and_is_private) {
  temp_dir dir;
  repository repo(dir.db());
  auto committed = full_order("+18015550100");
  repo.begin();
  repo.insert_order(committed);
  repo.commit();
  repo.begin();
  auto open = full_order("+18015550200");
  repo.insert_order(open);  // not committed when the copy is made

  const auto dest = dir / "copy.db";
  backup_job job(dir.db(), dest, false);
  const auto r = job.run();
  repo.rollback();
  BOOST_TEST(r.path == dest);
  BOOST_TEST(r.bytes == static_cast<std::int64_t>(std::filesystem::file_size(dest)));
  BOOST_TEST(r.schema_version == detail::newest_schema_version());
  BOOST_TEST(file_mode(dest) == 0600u);
  BOOST_TEST(partial_files(dir.path()) == 0u);
  raw_db copy(dest);
  BOOST_TEST(copy.integer("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'") == 1);
  BOOST_TEST(copy.integer("SELECT count(*) FROM orders WHERE number = '+18015550100'") == 1);
  BOOST_TEST(copy.integer("SELECT count(*) FROM orders WHERE number = '+18015550200'") == 0);
}

BOOST_AUTO_TEST_CASE(an_existing_file_is_refused_untouched_unless_forced) {
  temp_dir dir;
  repository repo(dir.db());
  const auto dest = dir / "copy.db";
  { std::ofstream(dest) << "precious"; }
  try {
    backup_job(dir.db(), dest, false).run();
    BOOST_FAIL("an existing file was overwritten");
  } catch (const backup_refused& e) {
    BOOST_TEST(e.exists);
    BOOST_TEST(std::string(e.what()).find(dest.string()) != std::string::npos);
  }
  BOOST_TEST(std::filesystem::file_size(dest) == 8u);
  backup_job(dir.db(), dest, true).run();
  raw_db copy(dest);
  BOOST_TEST(copy.integer("SELECT count(*) FROM sqlite_schema WHERE name = 'orders'") == 1);
  BOOST_TEST(partial_files(dir.path()) == 0u);
}

BOOST_AUTO_TEST_CASE(a_relative_path_or_a_missing_directory_is_refused) {
  temp_dir dir;
  repository repo(dir.db());
  BOOST_CHECK_THROW(backup_job(dir.db(), "copy.db", false).run(), backup_refused);
  try {
    backup_job(dir.db(), dir / "nowhere" / "copy.db", false).run();
    BOOST_FAIL("a copy into a missing directory succeeded");
  } catch (const backup_refused& e) {
    BOOST_TEST(!e.exists);
    BOOST_TEST(std::string(e.what()).find("does not exist") != std::string::npos);
  }
}

// portd is stopping: a copy under way gives up, and leaves no half-written file behind.
BOOST_AUTO_TEST_CASE(an_interrupted_copy_leaves_nothing) {
  temp_dir dir;
  repository repo(dir.db());
  const auto dest = dir / "copy.db";
  backup_job job(dir.db(), dest, false);
  job.interrupt();
  BOOST_CHECK_THROW(job.run(), store_error);
  BOOST_TEST(!std::filesystem::exists(dest));
  BOOST_TEST(partial_files(dir.path()) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
