// The engine driven in-process: a scripted Telegent, a clock the test moves, a store in a temp
// dir. No sockets, no sleeps: the loop runs what is ready, and time passes when the test says.
#include "engine_fixture.hpp"

#include <portd/store/sqlite.hpp>

#include <boost/test/unit_test.hpp>

#include <optional>

namespace portd::engine::test {

BOOST_AUTO_TEST_SUITE(engine_tests)

BOOST_FIXTURE_TEST_CASE(a_port_in_goes_from_intake_through_submission_and_polls_to_completed, engine_fixture) {
  start();
  const auto id = submit_port_in();
  BOOST_TEST(order(id).state == order_state::submitted);
  BOOST_TEST(order(id).remote_order_id == "ORD-" + std::to_string(id));
  BOOST_REQUIRE(api.requests.size() == 1u);
  BOOST_TEST(api.requests[0].kind == call_kind::submit_port_in);

  api.script = [](const porting::order& o, call_kind k) { return std::optional(fake_telegent::ok(o, k, "Completed")); };
  const auto due = order(id).next_check_at;
  BOOST_REQUIRE(due);
  advance_to(*due - 1ms);
  BOOST_TEST(api.requests.size() == 1u, "not polled before its time");
  advance_to(*due);
  BOOST_REQUIRE(api.requests.size() == 2u);
  BOOST_TEST(api.requests[1].kind == call_kind::status);
  BOOST_TEST(api.requests[1].prio == telegent::priority::poll);
  BOOST_TEST(order(id).state == order_state::completed);
  BOOST_TEST(!order(id).next_check_at, "a finished order is not checked again");
}

// Rule 1's second half: the mark that the request may have left is on disk before it leaves.
BOOST_FIXTURE_TEST_CASE(a_submission_is_marked_as_leaving_on_disk_before_it_leaves, engine_fixture) {
  start();
  std::optional<bool> marked_when_sent;
  api.script = [&](const porting::order& o, call_kind k) {
    marked_when_sent = repo.read(o.id)->request_sent;  // what a restart would find now
    return std::optional(fake_telegent::ok(o, k, "Submitted"));
  };
  (void)submit_port_in();
  BOOST_REQUIRE(marked_when_sent);
  BOOST_TEST(*marked_when_sent);
}

BOOST_FIXTURE_TEST_CASE(a_submission_whose_answer_is_lost_is_resent_under_the_duplicate_guard, engine_fixture) {
  start();
  api.script = [](const porting::order&, call_kind k) { return std::optional(fake_telegent::lost(k)); };
  const auto id = submit_port_in();
  BOOST_TEST(order(id).state == order_state::submitting);
  BOOST_TEST(order(id).submit == porting::submit_certainty::ambiguous);
  const auto due = order(id).next_check_at;
  BOOST_REQUIRE(due);
  api.script = [](const porting::order& o, call_kind k) { return std::optional(fake_telegent::ok(o, k, "Submitted")); };
  advance_to(*due);
  BOOST_REQUIRE(api.requests.size() == 2u);
  BOOST_TEST(api.requests[1].kind == call_kind::submit_port_in);
  BOOST_TEST(api.requests[1].prio == telegent::priority::guarded, "a guarded resend goes before everything");
  BOOST_TEST(order(id).state == order_state::submitted);
}

BOOST_FIXTURE_TEST_CASE(a_submission_whose_answer_is_lost_is_not_resent_outside_the_guard_window, engine_fixture) {
  porting::policy pol;
  pol.resend_window = 1h;
  start(pol);
  api.script = [](const porting::order&, call_kind k) { return std::optional(fake_telegent::lost(k)); };
  const auto id = submit_port_in();
  BOOST_TEST(order(id).submit == porting::submit_certainty::ambiguous);
  advance_to(now + 2h);  // portd was busy (or the loop stalled) past the window
  BOOST_TEST(api.requests.size() == 1u, "no second submission once the guard may have lapsed");
  BOOST_TEST(order(id).state == order_state::submit_unknown);
}

// Rule 2: one call per order; a command that arrives meanwhile is kept and acted on after it.
BOOST_FIXTURE_TEST_CASE(a_command_while_a_call_is_out_waits_for_its_answer, engine_fixture) {
  start();
  const auto id = submit_port_in();
  api.script = [](const porting::order&, call_kind) { return std::optional<porting::api_result>(); };  // hangs
  advance_to(*order(id).next_check_at);
  BOOST_REQUIRE(api.hanging() == 1u);  // the poll is out

  auto r = await(eng->cancel(id, "the customer stays", service::caller{}));
  BOOST_REQUIRE(r.has_value());
  settle();
  BOOST_TEST(api.requests.size() == 2u, "the cancel waits for the poll");
  BOOST_TEST(order(id).pending == porting::pending_intent::cancel, "its intent is on disk meanwhile");

  api.script = [](const porting::order& o, call_kind k) { return std::optional(fake_telegent::ok(o, k, "Cancelled")); };
  api.answer(fake_telegent::ok(order(id), call_kind::status, "Submitted"));
  settle();
  BOOST_REQUIRE(api.requests.size() == 3u);
  BOOST_TEST(api.requests[2].kind == call_kind::cancel);
  BOOST_TEST(order(id).state == order_state::cancelled);
}

// A commit that fails (disk full, I/O) rolls its whole group back: the answer it held is not
// recorded, but the order is not lost either — it is checked again once the store works.
BOOST_FIXTURE_TEST_CASE(a_store_failure_retries_without_losing_the_order, engine_fixture) {
  start();
  const auto id = submit_port_in();
  // A deferred foreign key that a trigger breaks: the COMMIT of the group that completes the
  // order fails, and SQLite rolls the group back.
  repo.writer_connection().exec(
      "CREATE TABLE trap_parent (id INTEGER PRIMARY KEY);"
      "CREATE TABLE trap_child (parent INTEGER REFERENCES trap_parent(id) DEFERRABLE INITIALLY DEFERRED);"
      "CREATE TRIGGER trap AFTER UPDATE ON orders WHEN NEW.state = 'completed' "
      "BEGIN INSERT INTO trap_child VALUES (42); END;");
  api.script = [](const porting::order& o, call_kind k) { return std::optional(fake_telegent::ok(o, k, "Completed")); };
  advance_to(*order(id).next_check_at);
  BOOST_REQUIRE(api.requests.size() == 2u);
  BOOST_TEST(order(id).state == order_state::submitted, "the failed group changed nothing");
  BOOST_TEST(eng->active_orders() == 1u, "the order is still scheduled");

  repo.writer_connection().exec("DROP TRIGGER trap");  // the store works again
  advance_to(now + 1h);
  BOOST_TEST(api.requests.size() == 3u, "checked again");
  BOOST_TEST(order(id).state == order_state::completed);
}

BOOST_FIXTURE_TEST_CASE(stop_abandons_a_call_out_and_leaves_its_intent_for_the_next_start, engine_fixture) {
  start();
  api.script = [](const porting::order&, call_kind) { return std::optional<porting::api_result>(); };  // hangs
  const auto id = submit_port_in();
  BOOST_REQUIRE(api.hanging() == 1u);
  run(eng->stop(0ms));
  settle();
  const auto o = repo.load(id);
  BOOST_REQUIRE(o);
  BOOST_TEST((o->in_flight == std::optional(call_kind::submit_port_in)));
  BOOST_TEST(o->request_sent, "the next start knows the request may have reached Telegent");
  eng.reset();  // stopped: the fixture has nothing left to stop
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace portd::engine::test
