// portctl backup against a running daemon (issue 19): the copy is made while orders keep
// arriving, passes SQLite's integrity check, holds every order acknowledged before it was
// asked for, is private to portd's user, and never replaces a file unless told to.
#include <common/stack.hpp>

#include <boost/test/unit_test.hpp>

#include <sqlite3.h>

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

namespace json = boost::json;
using portd::test::rpc_connection;
using portd::test::stack;

namespace {

json::object port_in(const std::string& number) { return portd::test::port_in_params(number, "Jane Doe"); }

std::string number(int block, int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "+1801%03d%04d", block, i);
  return buf;
}

// The copy, opened with SQLite itself.
struct copy_db {
  sqlite3* db = nullptr;
  explicit copy_db(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
      BOOST_FAIL("cannot open " << path << ": " << (db ? sqlite3_errmsg(db) : "out of memory"));
  }
  ~copy_db() { sqlite3_close_v2(db); }
  copy_db(const copy_db&) = delete;
  copy_db& operator=(const copy_db&) = delete;
  // Rows of two text columns.
  std::vector<std::pair<std::string, std::string>> rows(const std::string& sql) {
    std::vector<std::pair<std::string, std::string>> out;
    sqlite3_stmt* st = nullptr;
    BOOST_TEST_REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK, sqlite3_errmsg(db));
    while (sqlite3_step(st) == SQLITE_ROW) {
      auto text = [&](int c) {
        auto* t = sqlite3_column_text(st, c);
        return std::string(t ? reinterpret_cast<const char*>(t) : "");
      };
      out.emplace_back(text(0), sqlite3_column_count(st) > 1 ? text(1) : "");
    }
    sqlite3_finalize(st);
    return out;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(backup)

BOOST_AUTO_TEST_CASE(a_backup_under_load_is_intact_and_holds_every_order_acknowledged_before_it) {
  stack s;
  s.start_portd();
  std::map<std::int64_t, std::string> acknowledged;  // id -> number, before the backup
  for (int i = 0; i < 300; ++i) {
    auto r = s.result("portin.submit", port_in(number(555, i)));
    acknowledged[r["order"].as_object()["id"].as_int64()] = number(555, i);
  }

  // A second client keeps submitting while the backup is asked for and made.
  std::atomic<bool> done{false};
  std::atomic<int> acked_meanwhile{0};
  std::thread load([&] {
    rpc_connection c(s.socket_path());
    for (int i = 0; !done && i < 9000; ++i)
      if (c.call("portin.submit", port_in(number(556, i))).contains("result")) ++acked_meanwhile;
  });
  while (acked_meanwhile < 20) std::this_thread::yield();  // the load is under way
  const int before_backup = acked_meanwhile;
  const std::string file = s.dir().file("backups/portd-copy.db");
  std::filesystem::create_directory(s.dir().file("backups"));
  const auto [status, out] = s.portctl({"backup", file});
  const int after_backup = acked_meanwhile;
  done = true;
  load.join();
  BOOST_TEST_MESSAGE(out << (after_backup - before_backup) << " orders acknowledged while the backup was made");
  BOOST_TEST_REQUIRE(status == 0, "portctl backup: " << out << portd::test::read_file(s.dir().file("portctl.stderr")));
  BOOST_TEST(out.find("backup written to " + file) != std::string::npos, out);
  BOOST_TEST(portd::test::file_mode(file) == 0600u);

  copy_db copy(file);
  const auto check = copy.rows("PRAGMA integrity_check");
  BOOST_TEST_REQUIRE(check.size() == 1u);
  BOOST_TEST(check[0].first == "ok");
  std::map<std::int64_t, std::string> in_copy;
  for (auto& [id, num] : copy.rows("SELECT id, number FROM orders")) in_copy[std::stoll(id)] = num;
  std::size_t missing = 0;
  for (auto& [id, num] : acknowledged)
    if (!in_copy.contains(id) || in_copy[id] != num) ++missing;
  BOOST_TEST(missing == 0u, missing << " acknowledged orders are not in the backup");
  BOOST_TEST(in_copy.size() >= acknowledged.size() + static_cast<std::size_t>(before_backup));
  // Each order's submission event came with it (the copy is one snapshot, not tables copied
  // at different moments).
  const auto orphans = copy.rows("SELECT count(*) FROM orders o WHERE NOT EXISTS "
                                 "(SELECT 1 FROM order_events e WHERE e.order_id = o.id)");
  BOOST_TEST(orphans.at(0).first == "0");
}

BOOST_AUTO_TEST_CASE(an_existing_file_is_kept_unless_forced_and_a_relative_path_is_refused) {
  stack s;
  s.start_portd();
  s.result("portin.submit", port_in(number(555, 1)));
  const std::string file = s.dir().file("copy.db");
  portd::test::write_file(file, "an older backup");

  auto [status, out] = s.portctl({"backup", file});
  BOOST_TEST(status == 1);
  const auto err = portd::test::read_file(s.dir().file("portctl.stderr"));
  BOOST_TEST(err.find("exists") != std::string::npos, err);
  BOOST_TEST(portd::test::read_file(file) == "an older backup");

  std::tie(status, out) = s.portctl({"backup", "--force", file});
  BOOST_TEST(status == 0, out << portd::test::read_file(s.dir().file("portctl.stderr")));
  BOOST_TEST(portd::test::file_mode(file) == 0600u);
  copy_db copy(file);
  BOOST_TEST(copy.rows("SELECT number FROM orders").size() == 1u);

  // The daemon writes the file: a path relative to its working directory is refused.
  auto r = s.call("daemon.backup", {{"path", "copy.db"}});
  BOOST_TEST_REQUIRE(r.contains("error"), json::serialize(r));
  BOOST_TEST(r["error"].as_object()["code"].as_int64() == -32602);
}

BOOST_AUTO_TEST_SUITE_END()
