// The scheduler in-process: a real store, client and budget, and a Telegent that accepts
// connections and never answers (the peer hangs; nothing here waits for time to pass).
#include "engine_rig.hpp"

namespace asio = boost::asio;
using namespace portd;
using namespace portd::engine::test;


BOOST_AUTO_TEST_SUITE(scheduler)

// Regression: with every poll slot taken and orders past due, the timer was re-armed for a
// time already past on every turn, so the loop spun (a whole core) until a slot freed.
BOOST_AUTO_TEST_CASE(due_orders_waiting_for_a_poll_slot_do_not_spin_the_loop) {
  rig r;
  insert_due_orders(r.repo, 50);
  engine::engine_options eo;
  eo.poll_concurrency = 1;
  r.start(1, eo);

  const auto text = control::render_metrics(r.eng->metrics());
  BOOST_TEST(metric(text, "portd_api_in_flight") == 1u);  // the one poll slot is taken
  BOOST_TEST(metric(text, "portd_scheduler_wakeups_total") <= 2u);
  BOOST_TEST(r.eng->active_orders() == 50u);
}

// A bulk of submissions waiting for Telegent: only command_concurrency of them are handed to
// the client; the others wait in the engine as ids, and all are still accounted for.
BOOST_AUTO_TEST_CASE(commands_beyond_the_limit_wait_in_the_engine_not_in_the_client) {
  rig r;
  r.repo.begin();
  for (int i = 0; i < 7; ++i) {  // submit intents committed before a restart
    core::order o;
    o.number = "+1801555" + std::to_string(2000 + i);
    o.state = core::order_state::submitting;
    o.in_flight = core::call_kind::submit_port_in;
    o.created_at = o.updated_at = o.state_since = core::now_ms();
    o.details.carrier = "Verizon";
    o.secrets.account_pin = "1234";
    r.repo.insert_order(o);
  }
  r.repo.commit();
  engine::engine_options eo;
  eo.command_concurrency = 3;
  r.start(4, eo);

  BOOST_TEST(r.eng->status_line().find("3 calls out, 4 commands queued") != std::string::npos, r.eng->status_line());
  BOOST_TEST(r.eng->active_orders() == 7u);
}

// A port-in whose submission may have created an order is resent under Telegent's duplicate
// guard, which protects only while that order is active: the resend must not queue behind a
// backlog of overdue polls (it waited 13 s in a soak, long enough for the first order to
// complete at the simulator's pace, so the guard let a second order through).
BOOST_AUTO_TEST_CASE(a_guarded_resend_does_not_wait_behind_overdue_polls) {
  rig r;
  insert_due_orders(r.repo, 50);  // due a second ago, before the resend
  r.repo.begin();
  core::order o;
  o.number = "+18015553000";
  o.state = core::order_state::submitting;
  o.submit_ambiguous = true;  // an earlier attempt's answer was lost
  o.created_at = o.updated_at = o.state_since = core::now_ms();
  o.next_check_at = core::now_ms() - core::milliseconds(10);
  o.details.carrier = "Verizon";
  o.secrets.account_pin = "1234";
  const auto id = r.repo.insert_order(o);
  r.repo.commit();
  engine::engine_options eo;
  eo.poll_concurrency = 1;
  r.start(4, eo);

  BOOST_TEST(r.eng->status_line().find("2 calls out") != std::string::npos, r.eng->status_line());
  const auto now = r.repo.load(id);
  BOOST_TEST_REQUIRE(now.has_value());
  BOOST_TEST((now->in_flight == core::call_kind::submit_port_in), "the resend is out beside the one poll");
}

BOOST_AUTO_TEST_SUITE_END()
