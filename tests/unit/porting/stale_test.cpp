// Stale-order alarms: raised once when an order sits too long in a state or past its port
// date, cleared by the next state change.
#include <portd/telegent/status.hpp>
#include <portd/porting/decide.hpp>

#include <boost/test/unit_test.hpp>

using namespace portd::porting;
using namespace std::chrono_literals;

namespace {

order polled(order_state s, time_point since) {
  order o;
  o.id = 7;
  o.number = "+18015550108";
  o.state = s;
  o.state_since = since;
  o.remote_order_id = "JNUOID-1";
  o.remote_status = "Pending Carrier Approval";
  o.in_flight = call_kind::status;
  return o;
}

api_result status(std::string raw) {
  api_result r;
  r.call = call_kind::status;
  r.remote_status = std::move(raw);
  r.meaning = portd::telegent::interpret_status(r.remote_status, order_kind::port_in);
  return r;
}

int attention_events(const decision& d) {
  int n = 0;
  for (const auto& e : d.events) n += e.type == event_type::needs_attention;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(stale)

BOOST_AUTO_TEST_CASE(an_order_stuck_in_carrier_approval_raises_attention_once) {
  policy pol;
  const time_point t0{std::chrono::hours(24 * 20000)};
  order o = polled(order_state::carrier_approval, t0);
  auto d = decide(o, status("Pending Carrier Approval"), t0 + 6 * 24h, pol);
  BOOST_TEST(!d.next.needs_attention());  // within the 7-day limit
  d = decide(o, status("Pending Carrier Approval"), t0 + 8 * 24h, pol);
  BOOST_TEST(d.next.needs_attention());
  BOOST_TEST(attention_events(d) == 1);
  BOOST_TEST(d.next.attention_reason.find("carrier_approval") != std::string::npos);
  // Later polls with the same news say nothing more.
  order again = d.next;
  again.in_flight = call_kind::status;
  auto d2 = decide(again, status("Pending Carrier Approval"), t0 + 9 * 24h, pol);
  BOOST_TEST(d2.next.needs_attention());
  BOOST_TEST(attention_events(d2) == 0);
  // The next state clears it.
  again = d2.next;
  again.in_flight = call_kind::status;
  auto d3 = decide(again, status("Scheduled"), t0 + 10 * 24h, pol);
  BOOST_TEST(d3.next.state == order_state::scheduled);
  BOOST_TEST(!d3.next.needs_attention());
}

BOOST_AUTO_TEST_CASE(a_port_date_passed_without_completion_raises_attention) {
  policy pol;
  const time_point t0{std::chrono::hours(24 * 20000)};  // 2024-10-04
  order o = polled(order_state::scheduled, t0);
  o.details.port_in_date = "2024-10-05";
  o.remote_status = "Scheduled";
  auto d = decide(o, status("Scheduled"), t0 + 2 * 24h, pol);
  BOOST_TEST(!d.next.needs_attention());  // the date is only just over
  d = decide(o, status("Scheduled"), t0 + 3 * 24h + 1h, pol);
  BOOST_TEST(d.next.needs_attention());
  BOOST_TEST(d.next.attention_reason.find("2024-10-05") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(failing_polls_do_not_hide_a_stuck_order) {
  policy pol;
  const time_point t0{std::chrono::hours(24 * 20000)};
  order o = polled(order_state::submitted, t0);
  o.remote_status = "Pending";
  api_result r;
  r.call = call_kind::status;
  r.outcome = call_outcome::transient;
  r.reason = "server_error";
  r.http_status = 503;
  auto d = decide(o, r, t0 + 4 * 24h, pol);
  BOOST_TEST(d.next.needs_attention());
}

BOOST_AUTO_TEST_CASE(a_zero_limit_turns_the_alarm_off) {
  policy pol;
  pol.stale.carrier_approval = 0ms;
  const time_point t0{std::chrono::hours(24 * 20000)};
  order o = polled(order_state::carrier_approval, t0);
  auto d = decide(o, status("Pending Carrier Approval"), t0 + 100 * 24h, pol);
  BOOST_TEST(!d.next.needs_attention());
}

BOOST_AUTO_TEST_SUITE_END()
