// Business time in [poll] time_zone: Telegent's "1–5 business days, requests after 4 PM local
// time start the next business day" in New York, across daylight-saving changes; a zone the
// system does not know refused; the port date starting at local midnight.
#include <portd/poll/calendar.hpp>
#include <portd/poll/dwell.hpp>
#include <portd/poll/planner.hpp>
#include <portd/porting/policy.hpp>

#include <boost/test/unit_test.hpp>

using namespace portd::poll;
using namespace std::chrono_literals;
using portd::porting::order;
using portd::porting::poll_policy;

namespace {

time_point at(const char* rfc3339) { return *portd::porting::parse_time(rfc3339); }

business_calendar zone(std::string_view name) {
  auto c = business_calendar::find(name);
  BOOST_TEST_REQUIRE(c.has_value(), name << " is in the system's time-zone database (tzdata)");
  return *c;
}

// A [poll] policy in `name`, as the configuration makes it.
poll_policy in_zone(std::string_view name) {
  poll_policy p;
  p.time_zone = name;
  p.day_start = [c = zone(name)](std::chrono::sys_days d) { return c.day_start(d); };
  return p;
}

order scheduled_for(std::string date, time_point since) {
  order o;
  o.id = 1;
  o.state = order_state::scheduled;
  o.state_since = since;
  o.details.carrier = "Verizon";
  o.details.port_in_date = std::move(date);
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(poll_calendar)

// Telegent: requests after 4 PM local time start the next business day. A stay begun at 17:00
// on a Friday in New York has spent no business time by Monday 08:00 — the documented curve
// gives a carrier move no chance over the weekend — and one hour by Monday 10:00.
BOOST_AUTO_TEST_CASE(a_stay_begun_friday_at_five_counts_from_monday_morning) {
  const auto ny = zone("America/New_York");
  const time_point fri_17 = at("2026-12-04T22:00:00.000Z");
  const time_point mon_08 = at("2026-12-07T13:00:00.000Z");
  BOOST_TEST((ny.counts_from(fri_17) == at("2026-12-07T14:00:00.000Z")));  // Monday 09:00
  BOOST_TEST((ny.elapsed(fri_17, mon_08) == 0ms));
  for (auto s : {order_state::submitted, order_state::carrier_approval, order_state::scheduled})
    BOOST_TEST_CONTEXT(s) { BOOST_TEST(1 - documented_survival(s, ny.elapsed(fri_17, mon_08)) < 1e-9); }
  BOOST_TEST((ny.elapsed(fri_17, at("2026-12-07T15:00:00.000Z")) == 1h));
}

BOOST_AUTO_TEST_CASE(a_stay_begun_before_four_counts_from_then) {
  const auto ny = zone("America/New_York");
  const time_point tue_15 = at("2026-12-01T20:00:00.000Z");
  BOOST_TEST((ny.counts_from(tue_15) == tue_15));
  BOOST_TEST((ny.elapsed(tue_15, tue_15 + 1h) == 1h));
  BOOST_TEST((ny.elapsed(tue_15, at("2026-12-02T15:00:00.000Z")) == 3h));  // 15-17, then Wednesday 9-10
  BOOST_TEST((ny.elapsed(tue_15, tue_15 + std::chrono::hours(24 * 7)) == 5 * business_calendar::day));
  // Before the opening it counts from the opening; from 16:00 on, from the next day's.
  BOOST_TEST((ny.counts_from(at("2026-12-01T12:00:00.000Z")) == at("2026-12-01T14:00:00.000Z")));
  const time_point tue_1630 = at("2026-12-01T21:30:00.000Z");
  BOOST_TEST((ny.counts_from(tue_1630) == at("2026-12-02T14:00:00.000Z")));
  BOOST_TEST((ny.elapsed(tue_1630, at("2026-12-02T15:00:00.000Z")) == 1h));
  BOOST_TEST((ny.elapsed(tue_1630, tue_1630) == 0ms));
  BOOST_TEST((ny.elapsed(tue_1630, tue_1630 - 1h) == 0ms));
}

// Opening hours are on the wall clock: 09:00 New York is 14:00 UTC in winter, 13:00 in summer,
// and a weekend with a clock change still leaves a business day eight hours long.
BOOST_AUTO_TEST_CASE(business_hours_follow_daylight_saving_time) {
  const auto ny = zone("America/New_York");
  // Spring forward (Sunday 8 March 2026): Friday 15:00 EST to Monday 10:00 EDT.
  BOOST_TEST((ny.elapsed(at("2026-03-06T20:00:00.000Z"), at("2026-03-09T14:00:00.000Z")) == 3h));
  BOOST_TEST((ny.counts_from(at("2026-03-07T17:00:00.000Z")) == at("2026-03-09T13:00:00.000Z")));
  // Fall back (Sunday 1 November 2026): Friday 15:00 EDT to Monday 10:00 EST.
  BOOST_TEST((ny.elapsed(at("2026-10-30T19:00:00.000Z"), at("2026-11-02T15:00:00.000Z")) == 3h));
  BOOST_TEST((ny.counts_from(at("2026-10-31T16:00:00.000Z")) == at("2026-11-02T14:00:00.000Z")));
  // Tuesday 11:00 to Tuesday 11:00 across each change (167 and 169 hours): five business
  // days, no more, no less.
  BOOST_TEST((ny.elapsed(at("2026-03-03T16:00:00.000Z"), at("2026-03-10T15:00:00.000Z")) == 5 * business_calendar::day));
  BOOST_TEST((ny.elapsed(at("2026-10-27T15:00:00.000Z"), at("2026-11-03T16:00:00.000Z")) == 5 * business_calendar::day));
  // São Paulo's clocks once jumped at midnight (4 November 2018, 00:00 → 01:00): that day began
  // at 01:00 local, 03:00 UTC; the next at midnight, UTC-2.
  const auto sp = zone("America/Sao_Paulo");
  using std::chrono::sys_days;
  using namespace std::chrono;
  BOOST_TEST((sp.day_start(sys_days{2018y / November / 4}) == at("2018-11-04T03:00:00.000Z")));
  BOOST_TEST((sp.day_start(sys_days{2018y / November / 5}) == at("2018-11-05T02:00:00.000Z")));
}

BOOST_AUTO_TEST_CASE(a_zone_the_system_does_not_know_is_refused) {
  BOOST_TEST(!business_calendar::find("Mars/Olympus_Mons").has_value());
  BOOST_TEST(!business_calendar::find("").has_value());
  BOOST_TEST(!business_calendar::find("../../../etc/passwd").has_value());
  BOOST_TEST(business_calendar::find("America/New_York")->zone() == "America/New_York");
  BOOST_TEST(business_calendar{}.zone() == "UTC");
  BOOST_TEST(business_calendar::find("UTC")->zone() == "UTC");
}

// A port date is a local date: in New York, 10 December starts at 05:00 UTC. Before then the
// cadence holds (no closer polling, no spare check on a date not yet begun), and a slow
// cadence's check is pulled to local midnight, not to UTC midnight.
BOOST_AUTO_TEST_CASE(the_port_date_starts_at_local_midnight) {
  const poll_policy p = in_zone("America/New_York");
  const time_point since = at("2026-12-08T15:00:00.000Z");
  const order o = scheduled_for("2026-12-10", since);
  BOOST_TEST((portd::porting::port_date_start(o, p) == at("2026-12-10T05:00:00.000Z")));
  BOOST_TEST((portd::porting::port_date_start(o, poll_policy{}) == at("2026-12-10T00:00:00.000Z")));
  // 20:00 on the 9th in New York: the cadence (1 h), not near_port_date.
  BOOST_TEST((portd::porting::next_poll_at(o, at("2026-12-10T01:00:00.000Z"), p) == at("2026-12-10T02:00:00.000Z")));
  BOOST_TEST((portd::porting::next_poll_at(o, at("2026-12-10T04:30:00.000Z"), p) == at("2026-12-10T05:00:00.000Z")));
  BOOST_TEST(why_due(o, at("2026-12-10T05:00:00.000Z"), p) == check_reason::port_date);

  planner pl(p, 600, since);
  pl.track(o, since);
  BOOST_TEST(pl.expected_news(o.id, at("2026-12-10T04:00:00.000Z")) == 0.0);
  BOOST_TEST(pl.expected_news(o.id, at("2026-12-10T08:00:00.000Z")) > 0.0);

  // The stale alarm for a port date that passed counts from local midnight too.
  portd::porting::policy pol;
  pol.poll = p;
  BOOST_TEST(portd::porting::stale_reason(o, at("2026-12-12T04:00:00.000Z"), pol).empty());
  BOOST_TEST(!portd::porting::stale_reason(o, at("2026-12-12T06:00:00.000Z"), pol).empty());
}

BOOST_AUTO_TEST_SUITE_END()
