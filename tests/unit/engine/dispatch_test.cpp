// How the engine hands work to Telegent under load: poll slots, the command limit, guarded
// resends first, and an idle loop while everything due waits for a slot.
#include "engine_fixture.hpp"

namespace portd::engine::test {

namespace {
// `n` port-ins already at Telegent (submitted), each due for a poll at `due`.
void insert_due_orders(store::repository& repo, int n, porting::time_point due) {
  repo.begin();
  for (int i = 0; i < n; ++i) {
    porting::order o = portd::test::sample_port_in("+1801555" + std::to_string(1000 + i));
    o.state = order_state::submitted;
    o.remote_order_id = "ORD-" + std::to_string(i);
    o.created_at = o.updated_at = o.state_since = due - 60s;
    o.next_check_at = due;
    repo.insert_order(o);
  }
  repo.commit();
}
std::optional<porting::api_result> hang(const porting::order&, call_kind) { return std::nullopt; }
}  // namespace

BOOST_AUTO_TEST_SUITE(engine_dispatch)

// Regression: with every poll slot taken and orders past due, the timer was re-armed for a
// time already past on every turn, so the loop spun (a whole core) until a slot freed. The
// clock here is the real one's reading, so a timer armed in the past would fire at once.
BOOST_FIXTURE_TEST_CASE(due_orders_waiting_for_a_poll_slot_leave_the_loop_idle, engine_fixture) {
  now = porting::now_ms();
  insert_due_orders(repo, 50, now - 1s);
  api.script = hang;
  engine_options eo;
  eo.poll_concurrency = 1;
  start({}, eo);
  BOOST_TEST(api.hanging() == 1u, "the one poll slot is taken");
  BOOST_TEST(settle() == 0u, "nothing runs while the due orders wait for the slot");
  BOOST_TEST(eng->active_orders() == 50u);
}

// A bulk of submissions waiting for Telegent: only command_concurrency of them are handed to
// Telegent's client; the others wait in the engine, in order, and go as places free up.
BOOST_FIXTURE_TEST_CASE(commands_beyond_the_limit_wait_in_the_engine_and_go_in_order, engine_fixture) {
  api.script = hang;
  engine_options eo;
  eo.command_concurrency = 3;
  start({}, eo);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 7; ++i) ids.push_back(submit_port_in("+1801555" + std::to_string(2000 + i)));
  BOOST_TEST(api.requests.size() == 3u);
  BOOST_TEST(eng->status_line().find("3 calls out, 4 commands queued") != std::string::npos, eng->status_line());
  BOOST_TEST(eng->active_orders() == 7u);
  api.answer(fake_telegent::ok(order(ids[0]), call_kind::submit_port_in, "Submitted"));
  settle();
  BOOST_REQUIRE(api.requests.size() == 4u);
  BOOST_TEST(api.requests[3].order_id == ids[3], "the first one queued goes next");
}

// A port-in whose submission may have created an order is resent under Telegent's duplicate
// guard, which protects only while that order is active: the resend must not queue behind a
// backlog of overdue polls (it waited 13 s in a soak, long enough for the first order to
// complete at the simulator's pace, so the guard let a second order through).
BOOST_FIXTURE_TEST_CASE(a_guarded_resend_does_not_wait_behind_overdue_polls, engine_fixture) {
  insert_due_orders(repo, 50, now - 1s);
  int submissions = 0;  // the first one's answer is lost; everything else hangs
  api.script = [&](const porting::order& o, call_kind k) {
    return k == call_kind::submit_port_in && ++submissions == 1 ? std::optional(fake_telegent::lost(k)) : hang(o, k);
  };
  engine_options eo;
  eo.poll_concurrency = 1;
  start({}, eo);
  const auto id = submit_port_in("+18015553000");
  BOOST_REQUIRE(order(id).next_check_at);
  advance_to(*order(id).next_check_at);  // the resend is due; the 49 polls still wait for the slot
  BOOST_REQUIRE(api.requests.size() == 3u);  // a poll, the lost submission, its resend
  BOOST_TEST(api.requests[2].order_id == id);
  BOOST_TEST(api.requests[2].prio == telegent::priority::guarded);
  BOOST_TEST(api.hanging() == 2u, "the resend is out beside the one poll");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace portd::engine::test
