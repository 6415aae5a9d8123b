// store::outbox over a real SQLite file: heads per order (the next event waits for the previous
// one), rows of uncommitted events never handed out, outcome marks, dead letters, redelivery.
#include "store_fixture.hpp"

#include <portd/store/outbox.hpp>

#include <boost/test/unit_test.hpp>

using namespace portd;
using store::delivery_state;

namespace {

struct fixture {
  store::test::temp_dir dir;
  std::unique_ptr<store::repository> repo;
  std::unique_ptr<store::outbox> box;
  fixture() {
    repo = std::make_unique<store::repository>(dir.db());
    repo->set_sinks({{"webhook:0", {}}, {"webhook:1", {porting::event_type::state_changed}}});
    box = std::make_unique<store::outbox>(*repo);
  }
  ~fixture() {
    box.reset();
    repo.reset();
  }
  porting::time_point t(std::int64_t ms) { return store::test::at_ms(ms); }

  // An order with `n` events (created, then state changes), committed.
  std::vector<porting::stored_event> order_with_events(const std::string& number, int n) {
    porting::order o = store::test::simple_order(number);
    o.created_at = o.updated_at = o.state_since = t(1000);
    repo->begin();
    repo->insert_order(o);
    std::vector<porting::event_record> recs(static_cast<std::size_t>(n));
    recs[0].type = porting::event_type::created;
    auto evs = repo->append_events(o, recs, t(1000));
    repo->update_order(o);
    repo->commit();
    return evs;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(store_outbox, fixture)

BOOST_AUTO_TEST_CASE(one_head_per_order_oldest_first) {
  auto a = order_with_events("+18015550001", 3);
  auto b = order_with_events("+18015550002", 2);
  auto heads = box->heads("webhook:0", b.back().id);
  BOOST_REQUIRE(heads.size() == 2u);
  BOOST_TEST(heads[0].event_id == a[0].id);
  BOOST_TEST(heads[1].event_id == b[0].id);
  // The filter of webhook:1 (state_changed only) left out the order.created events.
  auto h1 = box->heads("webhook:1", b.back().id);
  BOOST_REQUIRE(h1.size() == 2u);
  BOOST_TEST(h1[0].event_id == a[1].id);

  // Delivered: the order's next event becomes its head; a dead letter does not block either.
  repo->begin();
  box->mark_delivered(heads[0].id, 1, t(2000));
  box->mark_dead(heads[1].id, 9, "HTTP 500");
  repo->commit();
  heads = box->heads("webhook:0", b.back().id);
  BOOST_REQUIRE(heads.size() == 2u);
  BOOST_TEST(heads[0].event_id == a[1].id);
  BOOST_TEST(heads[1].event_id == b[1].id);

  // A retry keeps the row the head, with its new time and error.
  repo->begin();
  box->mark_retry(heads[0].id, 1, t(9000), "connect: refused");
  repo->commit();
  heads = box->heads("webhook:0", b.back().id);
  BOOST_TEST(heads[0].event_id == a[1].id);
  BOOST_TEST(heads[0].attempts == 1);
  BOOST_TEST((heads[0].next_attempt_at == t(9000)));
  BOOST_TEST(heads[0].last_error == "connect: refused");
}

BOOST_AUTO_TEST_CASE(head_of_one_order) {
  auto a = order_with_events("+18015550001", 2);
  const auto order = a[0].order_id;
  auto h = box->head_of("webhook:0", order, a.back().id);
  BOOST_REQUIRE(h);
  BOOST_TEST(h->event_id == a[0].id);
  repo->begin();
  box->mark_delivered(h->id, 1, t(2000));
  repo->commit();
  BOOST_TEST(box->head_of("webhook:0", order, a.back().id)->event_id == a[1].id);
  BOOST_TEST(!box->head_of("webhook:0", order, a[0].id));  // a[1] not known committed
  BOOST_TEST(!box->head_of("webhook:0", order + 1, a.back().id));
}

BOOST_AUTO_TEST_CASE(rows_of_a_removed_sink_become_dead_letters) {
  auto a = order_with_events("+18015550001", 2);
  repo->begin();
  BOOST_TEST(box->bury_unconfigured({"webhook:0"}) == 1);  // webhook:1's state_changed row
  repo->commit();
  BOOST_TEST(box->counts("webhook:1").pending == 0);
  BOOST_TEST(box->counts("webhook:1").dead == 1);
  BOOST_TEST(box->counts("webhook:0").pending == 2);
  store::outbox_query q;
  q.state = delivery_state::dead;
  BOOST_TEST(box->list(q).at(0).last_error == "sink no longer configured");
  repo->begin();
  BOOST_TEST(box->bury_unconfigured({"webhook:0"}) == 0);
  BOOST_TEST(box->bury_unconfigured({}) == 2);  // no sink left at all
  repo->commit();
}

BOOST_AUTO_TEST_CASE(rows_of_later_events_are_not_handed_out) {
  auto a = order_with_events("+18015550001", 2);
  auto b = order_with_events("+18015550002", 1);
  // Only events up to a's last are known committed: b's row waits for its commit to be seen.
  auto heads = box->heads("webhook:0", a.back().id);
  BOOST_REQUIRE(heads.size() == 1u);
  BOOST_TEST(heads[0].order_id == a[0].order_id);
}

BOOST_AUTO_TEST_CASE(dead_letters_listed_and_queued_again) {
  auto a = order_with_events("+18015550001", 2);
  auto heads = box->heads("webhook:0", a.back().id);
  repo->begin();
  box->mark_dead(heads[0].id, 7, "HTTP 500");
  repo->commit();
  store::outbox_query q;
  q.state = delivery_state::dead;
  auto dead = box->list(q);
  BOOST_REQUIRE(dead.size() == 1u);
  BOOST_TEST(dead[0].attempts == 7);
  BOOST_TEST(dead[0].last_error == "HTTP 500");
  BOOST_TEST(dead[0].state == delivery_state::dead);
  BOOST_TEST(box->counts("webhook:0").dead == 1);
  BOOST_TEST(box->counts("webhook:0").pending == 1);

  repo->begin();
  BOOST_TEST(box->redeliver({.id = dead[0].id}, t(5000)) == 1);
  repo->commit();
  BOOST_TEST(box->counts("webhook:0").dead == 0);
  auto r = box->row(dead[0].id);
  BOOST_TEST(r->state == delivery_state::pending);
  BOOST_TEST(r->attempts == 0);
  BOOST_TEST((r->next_attempt_at == t(5000)));

  // An event already delivered, sent again to a sink; and to a sink it never had.
  repo->begin();
  box->mark_delivered(r->id, 1, t(6000));
  BOOST_TEST(box->redeliver({.event_id = a[0].id, .sink = "webhook:0"}, t(7000)) == 1);
  BOOST_TEST(box->redeliver({.event_id = a[0].id, .sink = "webhook:1"}, t(7000)) == 1);
  repo->commit();
  BOOST_TEST(box->row(r->id)->state == delivery_state::pending);
  store::outbox_query all;
  all.sink = "webhook:1";
  BOOST_TEST(box->list(all).size() == 2u);  // a[1] (state_changed) and the re-sent a[0]

  // --all: every dead letter of a sink.
  repo->begin();
  box->mark_dead(r->id, 3, "x");
  repo->commit();
  repo->begin();
  BOOST_TEST(box->redeliver({.sink = "webhook:1", .all_dead = true}, t(8000)) == 0);
  BOOST_TEST(box->redeliver({.all_dead = true}, t(8000)) == 1);
  repo->commit();
  BOOST_TEST(store::to_string(delivery_state::dead) == "dead");
  BOOST_TEST(*store::parse_delivery_state("pending") == delivery_state::pending);
}

BOOST_AUTO_TEST_SUITE_END()
