// Dwell statistics: learned curves, the carrier's own once it has history, the prior before,
// a window that follows a carrier getting slower, and the hazard built on them.
#include <portd/poll/dwell.hpp>

#include <boost/test/unit_test.hpp>

using namespace portd::poll;
using namespace std::chrono_literals;
using portd::porting::time_point;

namespace {

const time_point t0{std::chrono::hours(24 * 20000)};

void add_n(dwell_stats& s, order_state st, const std::string& carrier, milliseconds d, int n) {
  for (int i = 0; i < n; ++i) s.add({st, carrier, d});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(poll_dwell)

BOOST_AUTO_TEST_CASE(no_history_means_the_documented_prior) {
  const dwell_stats s;
  BOOST_TEST(s.survival(order_state::carrier_approval, "Verizon", 0ms) == 1.0);
  BOOST_TEST(s.survival(order_state::carrier_approval, "Verizon", 48h, 16h) ==
             prior_survival(order_state::carrier_approval, 48h, 16h));
  // A fresh submission often moves within minutes; a week (five business days) later most
  // ports are done.
  BOOST_TEST(prior_survival(order_state::submitted, 30min, 30min) < 0.75);
  BOOST_TEST(prior_survival(order_state::submitted, std::chrono::hours(24 * 7), 40h) < 0.05);
}

// Before any stay is seen, an order that has waited minutes in a state Telegent documents in
// days still has a chance of news worth a spare check now and then: the first scheduled
// stays of a Telegent faster than documented waited 5-7 min for their cadence (bench).
BOOST_AUTO_TEST_CASE(with_no_stay_seen_the_prior_does_not_wait_for_days) {
  dwell_stats s;
  const auto any = s.intern("Verizon");
  const double p = hazard(s, order_state::scheduled, any, t0, t0 + 14min, t0 + 15min);
  BOOST_TEST(p > 0.002);
  // t0 is a Friday 00:00 UTC, before the opening: the documented business days alone give
  // that minute no chance at all.
  BOOST_TEST(s.calendar().elapsed(t0, t0 + 15min) == 0ms);
}

// Before any stay is seen, the documented business days count in [poll] time_zone: a stay
// begun at 17:00 on a Friday in New York has next to no chance of a carrier move over the
// weekend, and a fair one once Monday's business hours begin; the guess with no time scale
// stays on calendar time.
BOOST_AUTO_TEST_CASE(the_prior_waits_for_business_hours_in_its_time_zone) {
  dwell_stats s(*business_calendar::find("America/New_York"));
  const auto any = s.intern("Verizon");
  const time_point fri_17 = *portd::porting::parse_time("2026-12-04T22:00:00.000Z");
  const time_point sat_12 = *portd::porting::parse_time("2026-12-05T17:00:00.000Z");
  const time_point mon_08 = *portd::porting::parse_time("2026-12-07T13:00:00.000Z");
  const time_point mon_09 = mon_08 + 1h, mon_10 = mon_08 + 2h;
  BOOST_TEST(hazard(s, order_state::carrier_approval, any, fri_17, sat_12, mon_08) < 0.01);
  const double before_opening = hazard(s, order_state::carrier_approval, any, fri_17, mon_08, mon_09);
  const double first_hour = hazard(s, order_state::carrier_approval, any, fri_17, mon_09, mon_10);
  BOOST_TEST(before_opening > 0.0);  // the guess with no time scale
  BOOST_TEST(first_hour > 0.05);
  BOOST_TEST(first_hour > 100 * before_opening);
  // Without a zone the business days are UTC's, and at 14:00 UTC Monday is open.
  dwell_stats utc;
  const auto v = utc.intern("Verizon");
  BOOST_TEST(hazard(utc, order_state::carrier_approval, v, fri_17, mon_09, mon_10) > 0.05);
}

// Once the carrier, or the state, has a dozen stays of its own the prior no longer counts, and
// neither do business hours: the learned curve is in calendar time, the same in every zone
// (hazard() then skips the zone look-ups the prior would need).
BOOST_AUTO_TEST_CASE(a_learned_curve_is_the_same_in_every_time_zone) {
  dwell_stats ny(*business_calendar::find("America/New_York"));
  dwell_stats utc;
  const time_point fri_17 = *portd::porting::parse_time("2026-12-04T22:00:00.000Z");
  for (auto* s : {&ny, &utc}) {
    add_n(*s, order_state::carrier_approval, "Verizon", 10min, 6);
    add_n(*s, order_state::carrier_approval, "Verizon", 30min, 6);  // the carrier's own dozen
    add_n(*s, order_state::scheduled, "AT&T", 20min, 12);           // the state's dozen, none of T-Mobile's
  }
  for (auto [state, carrier] : {std::pair{order_state::carrier_approval, "Verizon"}, {order_state::scheduled, "T-Mobile"}}) {
    const double in_ny = hazard(ny, state, ny.intern(carrier), fri_17, fri_17 + 15min, fri_17 + 25min);
    BOOST_TEST(in_ny > 0.05);
    BOOST_TEST(in_ny == hazard(utc, state, utc.intern(carrier), fri_17, fri_17 + 15min, fri_17 + 25min));
  }
}

BOOST_AUTO_TEST_CASE(learned_stays_outweigh_the_prior) {
  dwell_stats s;
  add_n(s, order_state::carrier_approval, "Verizon", 10min, 100);
  // Almost every order has moved by 11 minutes (the prior keeps a little weight).
  BOOST_TEST(s.survival(order_state::carrier_approval, "Verizon", 9min) > 0.95);
  BOOST_TEST(s.survival(order_state::carrier_approval, "Verizon", 11min) < 0.05);
  BOOST_TEST(s.count(order_state::carrier_approval) == 100u);
  BOOST_TEST(s.count(order_state::carrier_approval, " verizon") == 100u);  // carrier names compare loosely
}

BOOST_AUTO_TEST_CASE(a_carrier_uses_its_own_curve_once_it_has_history) {
  dwell_stats s;
  add_n(s, order_state::submitted, "Verizon", 10min, 100);
  // Two T-Mobile stays already move its curve most of the way from the state's (mostly
  // Verizon's 10 min) to its own, each stay counting as much as a fourth of the state's curve.
  add_n(s, order_state::submitted, "T-Mobile", 5h, 2);
  const double two = s.survival(order_state::submitted, "T-Mobile", 1h);
  BOOST_TEST(two > 0.3);
  BOOST_TEST(two < 0.5);
  add_n(s, order_state::submitted, "T-Mobile", 5h, dwell_stats::per_carrier_min - 2);
  BOOST_TEST(s.survival(order_state::submitted, "T-Mobile", 1h) > 0.8);
  // A carrier never seen gets the state's curve.
  BOOST_TEST(s.survival(order_state::submitted, "AT&T", 1h) < 0.2);
}

BOOST_AUTO_TEST_CASE(learning_follows_a_carrier_that_gets_slower) {
  dwell_stats s;
  add_n(s, order_state::scheduled, "Verizon", 10min, dwell_stats::keep);
  BOOST_TEST(s.survival(order_state::scheduled, "Verizon", 20min) < 0.05);
  add_n(s, order_state::scheduled, "Verizon", 2h, dwell_stats::keep);  // the carrier slowed down
  BOOST_TEST(s.survival(order_state::scheduled, "Verizon", 20min) > 0.95);
  BOOST_TEST(s.count(order_state::scheduled, "Verizon") == dwell_stats::keep);
}

BOOST_AUTO_TEST_CASE(hazard_is_the_chance_of_a_move_since_the_last_check) {
  dwell_stats s;
  add_n(s, order_state::carrier_approval, "Verizon", 10min, 200);
  const time_point entered = t0;
  const auto verizon = s.intern("Verizon");
  // Checked at 5 min, now 8 min: nothing moves before 10 min.
  BOOST_TEST(hazard(s, order_state::carrier_approval, verizon, entered, entered + 5min, entered + 8min) < 0.05);
  // Checked at 8 min, now 12 min: the window holds the move.
  BOOST_TEST(hazard(s, order_state::carrier_approval, verizon, entered, entered + 8min, entered + 12min) > 0.9);
  // Just checked: nothing to expect.
  BOOST_TEST(hazard(s, order_state::carrier_approval, verizon, entered, entered + 8min, entered + 8min) == 0.0);
  // Outlived every sample: the prior's tail still gives a rising, finite hazard.
  const double late = hazard(s, order_state::carrier_approval, verizon, entered, entered + 10h, entered + 11h);
  BOOST_TEST(late > 0.0);
  BOOST_TEST(late < 1.0);
}

// An order slower than every stay seen (a carrier slower than the ones learned from) is
// overdue: its chance of news keeps up with the stays' mean instead of falling to the prior's
// days, which left such orders to their cadence (bench freshness, 300 orders: p95 5.3 min).
BOOST_AUTO_TEST_CASE(an_order_past_every_stay_seen_is_overdue_not_stuck) {
  dwell_stats s;
  add_n(s, order_state::submitted, "Verizon", 10min, 100);
  const auto verizon = s.intern("Verizon");
  const double overdue = hazard(s, order_state::submitted, verizon, t0, t0 + 29min, t0 + 30min);
  BOOST_TEST(overdue > 0.05);  // about 1 - e^(-1/10)
  BOOST_TEST(overdue < 0.2);
}

// Between two stays seen the chance of a move is not 0: with a step at each sample an order
// whose age lay between two of them scored 0 and got no spare check until its age passed the
// next (bench freshness, 30 orders: flips waited up to 13 min against round-robin's 0.5).
BOOST_AUTO_TEST_CASE(the_chance_of_a_move_never_stalls_between_two_stays_seen) {
  dwell_stats s;
  add_n(s, order_state::scheduled, "Verizon", 10min, 20);
  add_n(s, order_state::scheduled, "Verizon", 30min, 20);
  const auto verizon = s.intern("Verizon");
  const double between = hazard(s, order_state::scheduled, verizon, t0, t0 + 15min, t0 + 20min);
  BOOST_TEST(between > 0.0);
  // Before the first stay seen too (some stays are shorter than any seen yet).
  BOOST_TEST(hazard(s, order_state::scheduled, verizon, t0, t0 + 2min, t0 + 5min) > 0.0);
  // It still falls most where the stays ended.
  BOOST_TEST(s.survival(order_state::scheduled, verizon, 9min) - s.survival(order_state::scheduled, verizon, 11min) > 0.4);
  BOOST_TEST(hazard(s, order_state::scheduled, verizon, t0, t0 + 9min, t0 + 11min) >
             10 * hazard(s, order_state::scheduled, verizon, t0, t0 + 15min, t0 + 17min));
}

BOOST_AUTO_TEST_SUITE_END()
