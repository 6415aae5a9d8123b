// Retention: delivered outbox rows deleted, raw bodies of long-finished orders emptied (their
// events kept), and the freed pages given back to the file system. Times are injected.
#include <boost/test/unit_test.hpp>

#include "store_fixture.hpp"

#include <portd/store/migrations.hpp>
#include <portd/store/outbox.hpp>
#include <portd/store/retention.hpp>
#include <portd/store/sqlite.hpp>

using namespace portd;
using namespace portd::store;
using namespace portd::store::test;
using porting::event_type;
using porting::order_state;

namespace {

porting::event_record with_raw(event_type t, order_state from, order_state to, std::string raw) {
  auto r = record(t, from, to);
  r.raw = std::move(raw);
  return r;
}

porting::order new_order(repository& repo, const std::string& number, std::int64_t at) {
  auto o = full_order(number);
  o.state = order_state::received;
  o.client_ref.clear();
  repo.insert_order(o);
  repo.append_events(o, std::vector{with_raw(event_type::created, order_state::received, order_state::received,
                                             "{\"created\":\"" + number + "\"}")},
                     at_ms(at));
  repo.update_order(o);
  return o;
}

void move(repository& repo, porting::order& o, order_state to, std::int64_t at, std::string raw = "{\"OrderStatus\":\"x\"}") {
  auto from = o.state;
  o.state = to;
  repo.append_events(o, std::vector{with_raw(event_type::state_changed, from, to, std::move(raw))}, at_ms(at));
  repo.update_order(o);
}

// Runs batches of `work` (each in its own committed transaction) until it says there is no more.
template <class Work>
std::int64_t run_batches(repository& repo, Work work) {
  std::int64_t total = 0;
  for (int guard = 0; guard < 10000; ++guard) {
    repo.begin();  // a transaction of its own, as the engine runs each batch
    const retention::step st = work();
    repo.commit();
    total += st.changed;
    if (!st.more) return total;
  }
  BOOST_FAIL("retention never finished");
  return total;
}

std::int64_t raw_left(raw_db& db, std::int64_t order_id) {
  return db.integer("SELECT count(*) FROM order_events WHERE raw <> '' AND order_id = " + std::to_string(order_id));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_retention)

// Only orders that finished before the cutoff lose their raw bodies; their events stay, an
// active order and one finished after the cutoff keep everything; a later pass with a later
// cutoff reaches the rest without reading the first ones again.
BOOST_AUTO_TEST_CASE(raw_bodies_of_orders_finished_before_the_cutoff_are_emptied_and_events_kept) {
  temp_dir dir;
  repository repo(dir.db());
  repo.begin();
  auto a = new_order(repo, "+18015550101", 1000);
  auto b = new_order(repo, "+18015550102", 1500);
  move(repo, a, order_state::submitted, 1600);
  move(repo, b, order_state::submitted, 1700);
  move(repo, a, order_state::completed, 2000);
  auto c = new_order(repo, "+18015550103", 2500);
  move(repo, c, order_state::cancelled, 5000);
  repo.commit();
  raw_db db(dir.db());
  const auto events_before = db.integer("SELECT count(*) FROM order_events");

  retention keep(repo);
  const auto emptied = run_batches(repo, [&] { return keep.prune_raw_bodies(at_ms(3000), 2); });
  BOOST_TEST(emptied == 3);  // a's created, submitted, completed
  BOOST_TEST(raw_left(db, a.id) == 0);
  BOOST_TEST(raw_left(db, b.id) == 2);  // active
  BOOST_TEST(raw_left(db, c.id) == 2);  // finished after the cutoff
  BOOST_TEST(db.integer("SELECT count(*) FROM order_events") == events_before);

  // Later: c's end is before the new cutoff. b is still active.
  BOOST_TEST(run_batches(repo, [&] { return keep.prune_raw_bodies(at_ms(6000), 2); }) == 2);
  BOOST_TEST(raw_left(db, c.id) == 0);
  BOOST_TEST(raw_left(db, b.id) == 2);
  BOOST_TEST(repo.read_history(c.id).size() == 2u);
}

// Delivered rows older than the cutoff go, oldest first and in batches; younger delivered rows,
// pending rows and dead letters stay.
BOOST_AUTO_TEST_CASE(delivered_outbox_rows_older_than_the_cutoff_are_deleted) {
  temp_dir dir;
  repository repo(dir.db());
  repo.set_sinks({{"webhook:0", {}}});
  repo.begin();
  std::vector<porting::order> orders;
  for (int i = 0; i < 10; ++i) orders.push_back(new_order(repo, "+1801555020" + std::to_string(i), 1000 + i));
  repo.commit();
  outbox box(repo);
  const auto rows = box.list({delivery_state::pending, "", 0, 0, 100});
  BOOST_TEST_REQUIRE(rows.size() == 10u);
  repo.begin();
  for (int i = 0; i < 7; ++i) box.mark_delivered(rows[i].id, 1, at_ms(2000 + i * 100));  // 2000…2600
  box.mark_dead(rows[7].id, 3, "gone");
  repo.commit();

  retention keep(repo);
  BOOST_TEST(run_batches(repo, [&] { return keep.prune_delivered_outbox(at_ms(2450), 2); }) == 5);
  raw_db db(dir.db());
  BOOST_TEST(db.integer("SELECT count(*) FROM outbox WHERE state = 'delivered'") == 2);
  BOOST_TEST(db.integer("SELECT min(delivered_at) FROM outbox WHERE state = 'delivered'") == 2500);
  BOOST_TEST(db.integer("SELECT count(*) FROM outbox WHERE state = 'pending'") == 2);
  BOOST_TEST(db.integer("SELECT count(*) FROM outbox WHERE state = 'dead'") == 1);
  // The events behind the deleted rows are kept.
  BOOST_TEST(db.integer("SELECT count(*) FROM order_events") == 10);
}

// The file gets smaller: a new database has incremental auto-vacuum, and the pages freed by
// emptying raw bodies are given back.
BOOST_AUTO_TEST_CASE(freed_pages_are_given_back_to_the_file_system) {
  temp_dir dir;
  repository repo(dir.db());
  const std::string big(4000, 'x');
  repo.begin();
  for (int i = 0; i < 200; ++i) {
    char number[16];
    std::snprintf(number, sizeof number, "+1801556%04d", i);
    auto o = new_order(repo, number, 1000 + 2 * i);
    move(repo, o, order_state::completed, 1001 + 2 * i, big);
  }
  repo.commit();
  raw_db db(dir.db());
  BOOST_TEST(db.integer("PRAGMA auto_vacuum") == 2);  // INCREMENTAL
  const auto pages_before = db.integer("PRAGMA page_count");

  retention keep(repo);
  BOOST_TEST(run_batches(repo, [&] { return keep.prune_raw_bodies(at_ms(100000), 50); }) == 400);
  BOOST_TEST(db.integer("SELECT count(*) FROM order_events WHERE raw <> ''") == 0);
  BOOST_TEST(db.integer("PRAGMA freelist_count") > 100);
  run_batches(repo, [&] {
    const auto n = keep.release_free_pages(64);
    return retention::step{n, n > 0};
  });
  BOOST_TEST(db.integer("PRAGMA freelist_count") == 0);
  const auto pages_after = db.integer("PRAGMA page_count");
  BOOST_TEST_MESSAGE("pages: " << pages_before << " -> " << pages_after);
  BOOST_TEST(pages_after < pages_before / 2);
  BOOST_TEST(db.integer("SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = 'ok'") == 1);
}

// A database made before retention (auto_vacuum NONE) is rebuilt once when it opens.
BOOST_AUTO_TEST_CASE(an_older_database_gets_incremental_auto_vacuum_once) {
  temp_dir dir;
  {
    sqlite::database db(dir.db().string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    std::vector<detail::embedded_migration> up_to_4;
    for (std::size_t i = 0; i < detail::embedded_migration_count; ++i)
      if (detail::embedded_migrations[i].version <= 4) up_to_4.push_back(detail::embedded_migrations[i]);
    detail::migrate(db, dir.db().string(), up_to_4);
    db.exec("INSERT INTO orders (id, kind, number, state, created_at, updated_at, state_since) "
            "VALUES (7, 'port_in', '+18015550290', 'completed', 0, 0, 0)");
    BOOST_TEST(db.query_int("PRAGMA auto_vacuum") == 0);
  }
  { repository repo(dir.db()); }
  raw_db db(dir.db());
  BOOST_TEST(db.integer("PRAGMA auto_vacuum") == 2);
  BOOST_TEST(db.integer("SELECT count(*) FROM orders WHERE id = 7") == 1);
  BOOST_TEST(db.integer("SELECT count(*) FROM sqlite_schema WHERE name = 'outbox_delivered'") == 1);
}

BOOST_AUTO_TEST_SUITE_END()
