// Opening a database: migrations, refusal of newer or foreign files, permissions, pragmas.
#include <boost/test/unit_test.hpp>

#include "store_fixture.hpp"

#include <portd/store/migrations.hpp>

#include <fstream>
#include <string_view>
#include <vector>
#include <sys/stat.h>

using namespace portd;
using namespace portd::store;
using namespace portd::store::test;

namespace {

std::string message_of(const std::filesystem::path& p) {
  try {
    repository repo(p);
  } catch (const store_error& e) {
    return e.what();
  }
  return "";
}

// The tables whose INSERT program opens a temporary b-tree (EXPLAIN's OpenEphemeral), as
// SQLite does for an IN list of more than two values in a CHECK or a partial index's WHERE.
std::vector<std::string> tables_writing_through_a_temporary_btree(raw_db& raw) {
  std::vector<std::string> tables, found;
  {
    sqlite3_stmt* s = nullptr;
    const char* sql =
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
    BOOST_REQUIRE(sqlite3_prepare_v2(raw.db, sql, -1, &s, nullptr) == SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW)
      tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
    sqlite3_finalize(s);
  }
  for (const auto& t : tables) {
    sqlite3_stmt* s = nullptr;
    const auto sql = "EXPLAIN INSERT INTO " + t + " DEFAULT VALUES";
    BOOST_REQUIRE(sqlite3_prepare_v2(raw.db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW)
      if (std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(s, 1))) ==
          "OpenEphemeral") {
        found.push_back(t);
        break;
      }
    sqlite3_finalize(s);
  }
  return found;
}


}  // namespace

BOOST_AUTO_TEST_SUITE(store_migrations)

BOOST_AUTO_TEST_CASE(a_fresh_database_gets_the_newest_schema) {
  temp_dir dir;
  const int newest = detail::newest_schema_version();
  BOOST_TEST(newest >= 1);
  {
    repository repo(dir.db());
    BOOST_TEST(repo.path() == dir.db());
  }
  raw_db raw(dir.db());
  BOOST_TEST(raw.integer("PRAGMA user_version") == newest);
  for (const char* table : {"orders", "order_events", "outbox"})
    BOOST_TEST(raw.integer(std::string("SELECT count(*) FROM sqlite_schema WHERE name = '") +
                           table + "' AND sql LIKE '%STRICT%'") == 1);
  BOOST_TEST(raw.integer("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = "
                         "'orders_one_active_per_number'") == 1);
}

// Every insert (and every update of such a column) would build the list's b-tree anew: with
// schema 6's IN lists, +44 % instructions per intake order (tools/bench/bench instructions).
BOOST_AUTO_TEST_CASE(no_write_builds_a_temporary_btree_for_a_check) {
  temp_dir dir;
  { repository repo(dir.db()); }
  raw_db raw(dir.db());
  for (const auto& table : tables_writing_through_a_temporary_btree(raw))
    BOOST_ERROR("an insert into " << table << " builds a temporary b-tree: spell IN (…) with OR");
}

BOOST_AUTO_TEST_CASE(reopening_keeps_data_and_changes_nothing) {
  temp_dir dir;
  std::int64_t id = 0;
  {
    repository repo(dir.db());
    auto o = full_order();
    repo.insert_order(o);
    id = o.id;
  }
  std::int64_t schema_version_before = 0;
  {
    raw_db raw(dir.db());
    schema_version_before = raw.integer("PRAGMA schema_version");
  }
  {
    repository repo(dir.db());
    BOOST_TEST(repo.read(id).has_value());
  }
  raw_db raw(dir.db());
  BOOST_TEST(raw.integer("PRAGMA schema_version") == schema_version_before);
  BOOST_TEST(raw.integer("PRAGMA user_version") == detail::newest_schema_version());
}

BOOST_AUTO_TEST_CASE(an_upgrade_applies_only_the_newer_migrations) {
  temp_dir dir;
  sqlite::database db(dir.db().string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  const detail::embedded_migration v1[] = {{1, "0001_a", "CREATE TABLE a (x INTEGER) STRICT;"}};
  detail::migrate(db, dir.db().string(), v1);
  BOOST_TEST(db.query_int("PRAGMA user_version") == 1);
  db.exec("INSERT INTO a VALUES (42)");
  const detail::embedded_migration v3[] = {
      {1, "0001_a", "CREATE TABLE a (x INTEGER) STRICT;"},  // would fail if run again
      {2, "0002_b", "CREATE TABLE b (y TEXT) STRICT;"},
      {3, "0003_c", "ALTER TABLE a ADD COLUMN z INTEGER; CREATE INDEX a_z ON a (z);"},
  };
  detail::migrate(db, dir.db().string(), v3);
  BOOST_TEST(db.query_int("PRAGMA user_version") == 3);
  BOOST_TEST(db.query_int("SELECT x FROM a") == 42);
  BOOST_TEST(db.query_int("SELECT count(*) FROM sqlite_schema WHERE name IN ('b', 'a_z')") == 2);
  detail::migrate(db, dir.db().string(), v3);  // nothing to do
  BOOST_TEST(db.query_int("PRAGMA user_version") == 3);
}

BOOST_AUTO_TEST_CASE(a_failing_migration_leaves_the_database_as_it_was) {
  temp_dir dir;
  sqlite::database db(dir.db().string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  const detail::embedded_migration bad[] = {
      {1, "0001_a", "CREATE TABLE a (x INTEGER) STRICT;"},
      {2, "0002_broken", "CREATE TABLE b (y TEXT) STRICT; INSERT INTO nowhere VALUES (1);"},
  };
  try {
    detail::migrate(db, dir.db().string(), bad);
    BOOST_FAIL("a broken migration was applied");
  } catch (const store_error& e) {
    BOOST_TEST(contains(e.what(), "0002_broken"));
    BOOST_TEST(contains(e.what(), "no such table: nowhere"));
  }
  BOOST_TEST(db.query_int("PRAGMA user_version") == 0);
  BOOST_TEST(db.query_int("SELECT count(*) FROM sqlite_schema") == 0);
  BOOST_TEST(db.autocommit());
}

BOOST_AUTO_TEST_CASE(a_newer_database_is_refused_untouched) {
  temp_dir dir;
  { repository repo(dir.db()); }
  {
    raw_db raw(dir.db());
    raw.exec("PRAGMA user_version = 7000");
  }
  auto what = message_of(dir.db());
  BOOST_TEST_MESSAGE(what);
  BOOST_TEST(contains(what, dir.db().string()));
  BOOST_TEST(contains(what, "schema version 7000"));
  BOOST_TEST(contains(what, "newer than this portd (" +
                                std::to_string(detail::newest_schema_version()) + ")"));
  BOOST_TEST(contains(what, "upgrade portd or restore a backup"));
  raw_db raw(dir.db());
  BOOST_TEST(raw.integer("PRAGMA user_version") == 7000);
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_a_database_is_refused) {
  temp_dir dir;
  {
    std::ofstream f(dir.db());
    for (int i = 0; i < 512; ++i) f << "this is not a database, it is a shopping list\n";
  }
  auto what = message_of(dir.db());
  BOOST_TEST_MESSAGE(what);
  BOOST_TEST(contains(what, dir.db().string()));
  BOOST_TEST(contains(what, "not a database"));
}

BOOST_AUTO_TEST_CASE(a_missing_directory_is_reported_with_the_path) {
  temp_dir dir;
  auto p = dir / "no-such-dir" / "portd.db";
  auto what = message_of(p);
  BOOST_TEST(contains(what, p.string()));
}

BOOST_AUTO_TEST_CASE(the_database_and_its_side_files_are_private) {
  temp_dir dir;
  auto old = ::umask(0);  // even with a permissive umask
  {
    repository repo(dir.db());
    auto o = simple_order("+18015550301");
    repo.insert_order(o);
    BOOST_TEST(file_mode(dir.db()) == 0600u);
    auto wal = dir.db().string() + "-wal";
    auto shm = dir.db().string() + "-shm";
    BOOST_TEST(std::filesystem::exists(wal));
    BOOST_TEST(file_mode(wal) == 0600u);
    BOOST_TEST(file_mode(shm) == 0600u);
  }
  ::umask(old);
}

// A database restored or copied with a permissive mode (cp, tar, an older run) holds carrier
// PINs of active orders: opening it makes it private again.
BOOST_AUTO_TEST_CASE(an_existing_database_readable_by_others_is_made_private) {
  temp_dir dir;
  {
    repository repo(dir.db());
    auto o = simple_order("+18015550302");
    repo.insert_order(o);
  }
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const auto f = dir.db().string() + suffix;
    if (std::filesystem::exists(f)) ::chmod(f.c_str(), 0644);
  }
  BOOST_TEST_REQUIRE(file_mode(dir.db()) == 0644u);
  repository again(dir.db());
  BOOST_TEST(file_mode(dir.db()) == 0600u);
  BOOST_TEST(file_mode(dir.db().string() + "-wal") == 0600u);
}

// Schema 3 adds request_sent. A database written by a portd before it holds calls in flight
// whose requests may well have left: after the upgrade they count as sent (a port-out is then
// judged ambiguous, never resent), and orders with nothing out as not.
BOOST_AUTO_TEST_CASE(calls_out_under_an_older_schema_count_as_sent_after_the_upgrade) {
  temp_dir dir;
  {
    sqlite::database db(dir.db().string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    std::vector<detail::embedded_migration> up_to_2;
    for (std::size_t i = 0; i < detail::embedded_migration_count; ++i)
      if (detail::embedded_migrations[i].version <= 2) up_to_2.push_back(detail::embedded_migrations[i]);
    BOOST_TEST_REQUIRE(up_to_2.size() == 2u);
    detail::migrate(db, dir.db().string(), up_to_2);
    db.exec("INSERT INTO orders (id, kind, number, state, created_at, updated_at, state_since, in_flight) "
            "VALUES (1, 'port_out', '+17746996290', 'issuing_pin', 0, 0, 0, 'submit_port_out'), "
            "(2, 'port_in', '+18015550290', 'submitted', 0, 0, 0, NULL)");
  }
  repository repo(dir.db());
  BOOST_TEST(repo.load(1)->request_sent);
  BOOST_TEST(!repo.load(2)->request_sent);
}

// Schema 6 turns four flags into two enumerations and gives the kind of attention a column of
// its own, told for the last time by the wording of attention_reason.
BOOST_AUTO_TEST_CASE(intents_and_attention_in_the_old_form_read_as_named_values_after_the_upgrade) {
  temp_dir dir;
  {
    sqlite::database db(dir.db().string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    std::vector<detail::embedded_migration> up_to_5;
    for (std::size_t i = 0; i < detail::embedded_migration_count; ++i)
      if (detail::embedded_migrations[i].version <= 5) up_to_5.push_back(detail::embedded_migrations[i]);
    BOOST_TEST_REQUIRE(up_to_5.size() == 5u);
    detail::migrate(db, dir.db().string(), up_to_5);
    db.exec(
        "INSERT INTO orders (id, kind, number, state, created_at, updated_at, state_since, needs_attention, "
        "attention_reason, cancel_requested, update_pending, submit_ambiguous, cancel_refused, ambiguous_since) VALUES "
        "(1, 'port_in', '+18015550001', 'submitting', 0, 5, 0, 0, '', 1, 0, 1, 0, 5), "
        "(2, 'port_in', '+18015550002', 'submitted', 0, 0, 0, 1, "
        "  'Telegent reports a status portd does not know: \"Wibble\"', 0, 1, 0, 0, NULL), "
        "(3, 'port_in', '+18015550003', 'cancelling', 0, 0, 0, 1, 'Telegent refused the cancel: conflict (HTTP 409)', "
        "  0, 0, 0, 1, NULL), "
        "(4, 'port_in', '+18015550004', 'carrier_approval', 0, 0, 0, 1, 'status poll refused: forbidden (HTTP 403)', "
        "  0, 0, 0, 0, NULL), "
        "(5, 'port_in', '+18015550005', 'scheduled', 0, 0, 0, 1, "
        "  'stale: no change from Telegent in scheduled since 2026-01-01T00:00:00.000Z (limit 14d)', 0, 0, 0, 0, NULL), "
        "(6, 'port_in', '+18015550006', 'submitted', 0, 0, 0, 1, "
        "  'Telegent refused the cancel: conflict; the order goes on there', 0, 0, 0, 0, NULL), "
        "(7, 'port_in', '+18015550007', 'cancelling', 0, 0, 0, 1, 'the cancel keeps failing: timeout', 0, 0, 0, 0, NULL), "
        "(8, 'port_in', '+18015550008', 'rejected', 0, 0, 0, 1, '6B: account number mismatch', 0, 0, 0, 0, NULL), "
        "(9, 'port_in', '+18015550009', 'failed', 0, 0, 0, 1, "
        "  'Telegent refused the cancel and then the status check (not_found)', 0, 0, 0, 0, NULL)");
  }
  repository repo(dir.db());
  using porting::attention_kind;
  using porting::pending_intent;
  auto o = [&](std::int64_t id) { return *repo.load(id); };
  BOOST_TEST(o(1).pending == pending_intent::cancel);
  BOOST_TEST(o(1).submit == porting::submit_certainty::ambiguous);
  BOOST_TEST((o(1).ambiguous_since == at_ms(5)));
  BOOST_TEST(!o(1).needs_attention());
  BOOST_TEST(o(2).pending == pending_intent::update);
  BOOST_TEST(o(2).submit == porting::submit_certainty::known);
  BOOST_TEST(o(2).attention == attention_kind::unknown_status);
  BOOST_TEST(o(3).pending == pending_intent::settle);
  BOOST_TEST(o(3).attention == attention_kind::cancel_refused);
  BOOST_TEST(o(4).attention == attention_kind::poll_refused);
  BOOST_TEST(o(5).attention == attention_kind::stale);
  BOOST_TEST(o(6).attention == attention_kind::cancel_refused);
  BOOST_TEST(o(6).pending == pending_intent::none, "the refusal settled: nothing pending");
  BOOST_TEST(o(7).attention == attention_kind::cancel_failing);
  BOOST_TEST(o(8).attention == attention_kind::operator_state);
  BOOST_TEST(o(9).attention == attention_kind::operator_state, "a failed order's own reason");
  BOOST_TEST(o(9).attention_reason == "Telegent refused the cancel and then the status check (not_found)");
  raw_db raw(dir.db());
  BOOST_TEST(raw.integer("SELECT count(*) FROM pragma_table_info('orders') WHERE name IN "
                         "('cancel_requested', 'update_pending', 'submit_ambiguous', 'cancel_refused')") == 0);
}

// A downgrade needs the database as the older portd left it: the upgrade is preceded by a whole
// copy next to the database, private like it, still at the old version and with its data.
BOOST_AUTO_TEST_CASE(an_upgrade_leaves_the_database_as_it_was_next_to_it) {
  temp_dir dir;
  const int newest = detail::newest_schema_version();
  BOOST_TEST_REQUIRE(newest > 2);
  {
    sqlite::database db(dir.db().string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    std::vector<detail::embedded_migration> up_to_2;
    for (std::size_t i = 0; i < detail::embedded_migration_count; ++i)
      if (detail::embedded_migrations[i].version <= 2) up_to_2.push_back(detail::embedded_migrations[i]);
    detail::migrate(db, dir.db().string(), up_to_2);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("INSERT INTO orders (id, kind, number, state, created_at, updated_at, state_since) "
            "VALUES (7, 'port_in', '+18015550290', 'submitted', 0, 0, 0)");
  }
  const auto copy = dir.db().string() + ".pre-2-to-" + std::to_string(newest);
  {
    std::vector<std::string> told;  // what portd extends systemd's start timeout for
    repository repo(dir.db(), [&](const std::string& what) { told.push_back(what); });
    BOOST_TEST(repo.migration_copy() == copy);
    BOOST_TEST(repo.load(7).has_value());
    BOOST_TEST_REQUIRE(!told.empty());
    BOOST_TEST(told.front().find(copy) != std::string::npos);
  }
  BOOST_TEST(file_mode(copy) == 0600u);
  {
    raw_db old(copy);
    BOOST_TEST(old.integer("PRAGMA user_version") == 2);
    BOOST_TEST(old.integer("SELECT count(*) FROM orders WHERE id = 7 AND number = '+18015550290'") == 1);
    BOOST_TEST(old.integer("SELECT count(*) FROM pragma_table_info('orders') WHERE name = 'request_sent'") == 0);
    BOOST_TEST(old.integer("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'") == 1);
  }
  // Nothing else is left next to the database (no half-written temporary copy).
  std::size_t others = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    if (e.path().filename().string().find(".partial-") != std::string::npos) ++others;
  BOOST_TEST(others == 0u);
  // Opening the upgraded database again copies nothing, and takes no long step.
  bool long_step = false;
  repository again(dir.db(), [&](const std::string&) { long_step = true; });
  BOOST_TEST(again.migration_copy().empty());
  BOOST_TEST(!long_step);
}

BOOST_AUTO_TEST_CASE(a_fresh_database_is_not_copied) {
  temp_dir dir;
  repository repo(dir.db());
  BOOST_TEST(repo.migration_copy().empty());
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    files += e.path().filename().string().find(".pre-") != std::string::npos;
  BOOST_TEST(files == 0u);
}

BOOST_AUTO_TEST_CASE(pragmas_are_set_for_durability) {
  temp_dir dir;
  repository repo(dir.db());
  raw_db raw(dir.db());
  BOOST_TEST(raw.integer("SELECT journal_mode = 'wal' FROM pragma_journal_mode()") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
