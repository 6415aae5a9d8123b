// The RAII SQLite layer: binding, stepping, 64-bit values, and errors in SQLite's own words.
#include <boost/test/unit_test.hpp>

#include "store_fixture.hpp"

#include <portd/store/sqlite.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

using namespace portd;
using namespace portd::store;
using namespace portd::store::test;

namespace {

constexpr int rw_create = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

}  // namespace

BOOST_AUTO_TEST_SUITE(store_sqlite)

BOOST_AUTO_TEST_CASE(statements_bind_step_and_read_64_bit_values_and_text) {
  temp_dir dir;
  sqlite::database db(dir.db().string(), rw_create);
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT, o INTEGER) STRICT");
  sqlite::statement insert(db, "INSERT INTO t (id, n, s, o) VALUES (?1, ?2, ?3, ?4)");
  const std::int64_t big = (std::int64_t{1} << 40) + 7;
  const std::string text("with\0nul", 8);
  insert.bind(1, big).bind(2, -big).bind(3, std::string_view(text)).bind_null(4);
  insert.exec();
  BOOST_TEST(db.last_insert_rowid() == big);
  BOOST_TEST(db.changes() == 1);
  insert.bind(1, big + 1).bind(2, 0).bind(3, "").bind(4, std::optional<std::int64_t>(5));
  insert.exec();

  sqlite::statement select(db, "SELECT n, s, o FROM t WHERE id = ?1");
  {
    sqlite::reset_on_exit guard(select);
    select.bind(1, big);
    BOOST_REQUIRE(select.step());
    BOOST_TEST(select.column_int64(0) == -big);
    BOOST_TEST(select.column_text(1) == text);
    BOOST_TEST(select.is_null(2));
    BOOST_TEST(!select.column_opt_int64(2).has_value());
    BOOST_TEST(!select.step());
  }
  {
    sqlite::reset_on_exit guard(select);
    select.bind(1, big + 1);
    BOOST_REQUIRE(select.step());
    BOOST_TEST(select.column_text(1) == "");
    BOOST_TEST(!select.is_null(1));  // "" is stored as '' and not NULL
    BOOST_TEST((select.column_opt_int64(2) == std::optional<std::int64_t>(5)));
  }
  BOOST_TEST(db.query_int("SELECT count(*) FROM t") == 2);
  BOOST_TEST(db.query_text("SELECT s FROM t WHERE id = " + std::to_string(big + 1)) == "");
}

BOOST_AUTO_TEST_CASE(errors_carry_sqlites_message_and_extended_code) {
  temp_dir dir;
  sqlite::database db(dir.db().string(), rw_create);
  db.exec("CREATE TABLE t (k TEXT UNIQUE) STRICT");
  try {
    sqlite::statement bad(db, "SELEKT 1");
    BOOST_FAIL("a syntax error was prepared");
  } catch (const sqlite::error& e) {
    BOOST_TEST(contains(e.what(), "syntax error"));
    BOOST_TEST(e.primary_code() == SQLITE_ERROR);
  }
  sqlite::statement insert(db, "INSERT INTO t (k) VALUES (?1)");
  insert.bind(1, "a");
  insert.exec();
  insert.bind(1, "a");
  try {
    insert.exec();
    BOOST_FAIL("a duplicate was inserted");
  } catch (const sqlite::error& e) {
    BOOST_TEST(e.code == SQLITE_CONSTRAINT_UNIQUE);
    BOOST_TEST(contains(e.what(), "UNIQUE constraint failed: t.k"));
    BOOST_TEST(!e.disk_full);
  }
  // The statement was reset by the failure and is usable again.
  insert.bind(1, "b");
  insert.exec();
  BOOST_TEST(db.query_int("SELECT count(*) FROM t") == 2);
  try {
    db.exec("INSERT INTO nowhere VALUES (1)", "while testing");
    BOOST_FAIL("an insert into a missing table ran");
  } catch (const store_error& e) {
    BOOST_TEST(contains(e.what(), "while testing: no such table: nowhere"));
  }
}

BOOST_AUTO_TEST_CASE(opening_a_missing_directory_names_the_path) {
  temp_dir dir;
  auto p = (dir / "missing" / "x.db").string();
  try {
    sqlite::database db(p, rw_create);
    BOOST_FAIL("opened a database in a missing directory");
  } catch (const sqlite::error& e) {
    BOOST_TEST(contains(e.what(), p));
  }
}

BOOST_AUTO_TEST_CASE(order_ids_beyond_32_bits_work_end_to_end) {
  temp_dir dir;
  const std::int64_t base = std::int64_t{1} << 33;
  { repository repo(dir.db()); }
  {
    raw_db raw(dir.db());
    raw.exec("INSERT INTO orders (id, kind, number, state, created_at, updated_at, state_since) "
             "VALUES (" + std::to_string(base) + ", 'port_in', '+18015550999', 'completed', 0, 0, 0)");
  }
  repository repo(dir.db());
  auto o = simple_order("+18015550998");
  repo.insert_order(o);
  BOOST_TEST(o.id == base + 1);
  BOOST_TEST((repo.read(base + 1)->number == "+18015550998"));
  repo.begin();
  auto ev = repo.append_events(
      o, std::vector{record(porting::event_type::created, o.state, o.state)}, at_ms(1));
  repo.update_order(o);
  repo.commit();
  BOOST_TEST(repo.read_history(base + 1).at(0).order_id == base + 1);
}

// Rule 5 in the WAL (issue 16): the commit that ends an order checkpoints and truncates the
// WAL, so the row's older images, PIN and all, leave the files while the database is open.
// A reader in the middle of a query holds them; that delays the truncation to the next commit
// instead of blocking the commit for the busy timeout.
BOOST_AUTO_TEST_CASE(the_commit_that_purges_a_pin_takes_it_out_of_the_wal) {
  temp_dir dir;
  repository repo(dir.db());
  const std::string pin = "WalPin8675309";
  auto files = [&] {
    std::string bytes;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::ifstream f(dir.db().string() + suffix, std::ios::binary);
      bytes.append(std::istreambuf_iterator<char>(f), {});
    }
    return bytes;
  };
  auto o = full_order("+18015550040");
  o.secrets.account_pin = pin;
  repo.begin();
  repo.insert_order(o);
  repo.commit();
  o.remote_status = "Scheduled";
  repo.begin();
  repo.update_order(o);
  repo.commit();
  BOOST_TEST_REQUIRE(files().find(pin) != std::string::npos);  // the order needs it: it is there

  sqlite::statement reading(repo.reader_connection(), "SELECT id FROM orders");
  BOOST_TEST_REQUIRE(reading.step());  // a snapshot that still sees the PIN
  o.state = porting::order_state::completed;
  o.secrets = {};
  o.next_check_at.reset();
  o.in_flight.reset();
  const auto t0 = std::chrono::steady_clock::now();
  repo.begin();
  repo.update_order(o);
  repo.commit();
  BOOST_TEST((std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2)), "the commit waited for the reader");
  BOOST_TEST(files().find(pin) != std::string::npos);  // the reader may still read those frames

  reading.reset();
  repo.begin();
  repo.write_setting("unrelated", "write");
  repo.commit();
  BOOST_TEST(files().find(pin) == std::string::npos);
  BOOST_TEST(std::filesystem::file_size(dir.db().string() + "-wal") == 0u);
  BOOST_TEST((repo.read(o.id)->state == porting::order_state::completed));
}

BOOST_AUTO_TEST_SUITE_END()
