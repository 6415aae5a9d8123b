// retry_policy::next_delay (1 s doubling, capped at 30 s, ±20% deterministic jitter) and
// next_poll_at (per-state cadence, the port date pulling polls close).
#include <portd/porting/policy.hpp>

#include <boost/test/unit_test.hpp>

#include <set>

using namespace portd::porting;
using namespace std::chrono_literals;

namespace {

time_point at(const char* rfc3339) { return *parse_time(rfc3339); }

order in_state(order_state s, std::string port_in_date = {}, std::string reported = {}) {
  order o;
  o.state = s;
  o.remote_order_id = "JNUOID-1";
  o.details.port_in_date = std::move(port_in_date);
  o.reported_port_date = std::move(reported);
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(retry_schedule)

BOOST_AUTO_TEST_CASE(doubles_from_one_second_and_caps_at_thirty) {
  const retry_policy p;
  const milliseconds nominal[] = {1s, 2s, 4s, 8s, 16s, 30s, 30s, 30s, 30s, 30s};
  for (std::uint64_t salt : {0ull, 1ull, 42ull, 977ull, 123456789ull, ~0ull}) {
    for (int attempt = 1; attempt <= 10; ++attempt) {
      BOOST_TEST_CONTEXT("salt " << salt << " attempt " << attempt) {
        const milliseconds want = nominal[attempt - 1];
        const milliseconds got = p.next_delay(attempt, salt);
        BOOST_TEST(got.count() >= want.count() * 8 / 10, "jitter at most -20%");
        BOOST_TEST(got.count() <= want.count() * 12 / 10, "jitter at most +20%");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(huge_and_degenerate_attempt_numbers) {
  const retry_policy p;
  for (int attempt : {64, 1000, 1 << 30}) {
    const auto d = p.next_delay(attempt, 7);
    BOOST_TEST(d.count() >= 24'000);
    BOOST_TEST(d.count() <= 36'000);
  }
  for (int attempt : {0, -1, -100}) {
    const auto d = p.next_delay(attempt, 7);
    BOOST_TEST(d.count() >= 800);
    BOOST_TEST(d.count() <= 1200);
  }
}

BOOST_AUTO_TEST_CASE(jitter_is_deterministic_and_spreads_orders) {
  const retry_policy p;
  BOOST_TEST(p.next_delay(3, 42).count() == p.next_delay(3, 42).count(), "decide() stays pure");
  std::set<milliseconds::rep> seen;
  int below = 0, above = 0;
  for (std::uint64_t salt = 1; salt <= 200; ++salt) {
    const auto d = p.next_delay(4, salt).count();
    seen.insert(d);
    below += d < 8000;
    above += d > 8000;
  }
  BOOST_TEST(seen.size() > 100u, "orders that failed together do not retry together");
  BOOST_TEST(below > 40);
  BOOST_TEST(above > 40);
}

BOOST_AUTO_TEST_CASE(honours_a_custom_policy) {
  retry_policy p;
  p.base = 500ms;
  p.cap = 4s;
  for (int attempt = 1; attempt <= 8; ++attempt) {
    const milliseconds nominal = std::min<milliseconds>(500ms * (1 << (attempt - 1)), 4s);
    const auto d = p.next_delay(attempt, 3);
    BOOST_TEST(d.count() >= nominal.count() * 8 / 10);
    BOOST_TEST(d.count() <= nominal.count() * 12 / 10);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(poll_cadence)

BOOST_AUTO_TEST_CASE(each_state_has_its_cadence) {
  const poll_policy p;
  const time_point now = at("2026-11-26T17:00:00.000Z");
  const std::pair<order_state, milliseconds> rows[] = {
      {order_state::submitted, p.submitted},   {order_state::carrier_approval, p.carrier_approval},
      {order_state::scheduled, p.scheduled},   {order_state::rejected, p.rejected},
      {order_state::cancelling, p.rejected}};
  for (const auto& [s, cadence] : rows) {
    BOOST_TEST_CONTEXT(s) { BOOST_TEST((next_poll_at(in_state(s), now, p) == now + cadence)); }
  }
  // Slower as the carrier takes its time, slowest when rejected.
  BOOST_TEST(p.first_after_submit < p.submitted);
  BOOST_TEST(p.submitted < p.carrier_approval);
  BOOST_TEST(p.carrier_approval < p.scheduled);
  BOOST_TEST(p.scheduled < p.rejected);
}

// A cadence is a maximum: "soon after submit" never comes later than the submitted cadence.
BOOST_AUTO_TEST_CASE(first_check_after_submit_is_never_later_than_the_submitted_cadence) {
  poll_policy fast;
  fast.submitted = 1s;  // first_after_submit stays at its 2 min default
  BOOST_TEST((as_guarantees(fast).first_after_submit == 1s));
  poll_policy sooner;
  sooner.first_after_submit = 30s;  // already sooner than the cadence: kept
  BOOST_TEST((as_guarantees(sooner).first_after_submit == 30s));
  BOOST_TEST((as_guarantees(poll_policy{}).first_after_submit == poll_policy{}.first_after_submit));
}

BOOST_AUTO_TEST_CASE(port_date_pulls_a_slow_poll_to_its_start) {
  const poll_policy p;
  const time_point start = at("2026-12-03T00:00:00.000Z");
  // 20 minutes before the date: the hourly poll of a scheduled order comes at the start.
  BOOST_TEST((next_poll_at(in_state(order_state::scheduled, "2026-12-03"), start - 20min, p) == start));
  // Days before: the normal cadence.
  const time_point early = at("2026-11-30T12:00:00.000Z");
  BOOST_TEST((next_poll_at(in_state(order_state::scheduled, "2026-12-03"), early, p) == early + p.scheduled));
  BOOST_TEST((next_poll_at(in_state(order_state::carrier_approval, "2026-12-03"), start - 10min, p) == start));
}

BOOST_AUTO_TEST_CASE(near_cadence_on_and_after_the_date) {
  const poll_policy p;
  for (const char* now_s : {"2026-12-03T00:00:00.000Z", "2026-12-03T13:45:00.000Z", "2026-12-04T09:00:00.000Z"}) {
    BOOST_TEST_CONTEXT(now_s) {
      const time_point now = at(now_s);
      for (order_state s : {order_state::submitted, order_state::carrier_approval, order_state::scheduled}) {
        BOOST_TEST((next_poll_at(in_state(s, "2026-12-03"), now, p) == now + p.near_port_date));
      }
    }
  }
  // A cadence already closer than near_port_date is kept.
  poll_policy fast = p;
  fast.submitted = 5min;
  const time_point now = at("2026-12-03T10:00:00.000Z");
  BOOST_TEST((next_poll_at(in_state(order_state::submitted, "2026-12-03"), now, fast) == now + 5min));
}

BOOST_AUTO_TEST_CASE(reported_date_wins_over_the_requested_one) {
  const poll_policy p;
  const time_point now = at("2026-12-03T10:00:00.000Z");
  // Requested for today, Telegent moved it to the 5th: not near yet.
  const order o = in_state(order_state::scheduled, "2026-12-03", "2026-12-05");
  BOOST_TEST((next_poll_at(o, now, p) == now + p.scheduled));
  const order moved_closer = in_state(order_state::scheduled, "2026-12-09", "2026-12-03");
  BOOST_TEST((next_poll_at(moved_closer, now, p) == now + p.near_port_date));
}

BOOST_AUTO_TEST_CASE(rejected_ignores_the_port_date) {
  const poll_policy p;
  const time_point now = at("2026-12-03T10:00:00.000Z");
  BOOST_TEST((next_poll_at(in_state(order_state::rejected, "2026-12-03"), now, p) == now + p.rejected));
}

BOOST_AUTO_TEST_CASE(malformed_dates_are_ignored) {
  const poll_policy p;
  const time_point now = at("2026-12-03T10:00:00.000Z");
  for (const char* bad : {"2026-13-03", "2026-02-30", "03/12/2026", "2026-12-3", "2026-1a-03", "", "20261203xx"}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST((next_poll_at(in_state(order_state::scheduled, bad), now, p) == now + p.scheduled));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
