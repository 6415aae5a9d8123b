// next_step: what a command's reply says portd does next, read from the order it left.
#include <portd/control/next_step.hpp>

#include <boost/test/unit_test.hpp>

using namespace portd;
using porting::call_kind;
using porting::order_state;
using portd::control::next_step;

namespace {
porting::order in(order_state s) {
  porting::order o;
  o.id = 5;
  o.state = s;
  o.remote_order_id = "JNUOID-1";
  return o;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(control_next_step)

BOOST_AUTO_TEST_CASE(a_queued_call_is_named_and_telegent_is_told_or_asked_next) {
  auto o = in(order_state::rejected);
  o.in_flight = call_kind::update;
  o.attention = porting::attention_kind::operator_state;  // as the reply shows it: the correction has not reached anybody yet
  BOOST_TEST(next_step(o) == "correction queued; Telegent is told next");
  o.in_flight = call_kind::status;
  BOOST_TEST(next_step(o) == "status check queued; Telegent is asked next");
  o = in(order_state::cancelling);
  o.in_flight = call_kind::cancel;
  BOOST_TEST(next_step(o) == "cancel queued; Telegent is told next");
  o = in(order_state::submitting);
  o.in_flight = call_kind::submit_port_in;
  BOOST_TEST(next_step(o) == "submission queued; Telegent is told next");
}

BOOST_AUTO_TEST_CASE(work_waiting_for_the_call_in_flight_says_so) {
  auto o = in(order_state::submitted);
  o.in_flight = call_kind::status;
  o.pending = porting::pending_intent::update;
  BOOST_TEST(next_step(o) == "correction queued; sent once the status check in flight returns");
  o.pending = porting::pending_intent::cancel;
  BOOST_TEST(next_step(o) == "cancel queued; sent once the status check in flight returns");
}

BOOST_AUTO_TEST_CASE(nothing_queued_says_when_or_who_acts) {
  auto o = in(order_state::submitted);
  o.next_check_at = porting::time_point{porting::milliseconds{1'796'000'000'000}};
  BOOST_TEST(next_step(o).rfind("next check at 2026-", 0) == 0u, next_step(o));
  o = in(order_state::submit_unknown);
  o.attention = porting::attention_kind::operator_state;
  BOOST_TEST(next_step(o) == "nothing until an operator acts");
  BOOST_TEST(next_step(in(order_state::cancelled)) == "nothing: the order is cancelled");
}

BOOST_AUTO_TEST_SUITE_END()
