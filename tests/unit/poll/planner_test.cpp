// The spare-budget planner: the likeliest order first, never over the spare share, never one
// order more often than min_interval, nothing to do (and no timer) when nothing is active, and
// the reason a guaranteed check comes when it does.
#include <portd/poll/planner.hpp>

#include <boost/test/unit_test.hpp>

#include <map>

using namespace portd::poll;
using namespace std::chrono_literals;
using portd::porting::order;
using portd::porting::poll_policy;
using portd::porting::time_point;

namespace {

const time_point t0 = *portd::porting::parse_time("2026-12-01T15:00:00.000Z");

order active(std::int64_t id, order_state st, time_point entered, std::string carrier = "Verizon") {
  order o;
  o.id = id;
  o.state = st;
  o.state_since = entered;
  o.details.carrier = std::move(carrier);
  return o;
}

poll_policy spare(double share, milliseconds min_interval) {
  poll_policy p;
  p.spare_share = share;
  p.min_interval = min_interval;
  return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(poll_planner)

BOOST_AUTO_TEST_CASE(nothing_active_means_no_check_and_no_timer) {
  planner p(spare(1, 1s), 600, t0);
  const auto pick = p.next(t0);
  BOOST_TEST(!pick.id);
  BOOST_TEST(!pick.wake);
  // A finished order does not enter the plan.
  p.track(active(1, order_state::completed, t0), t0);
  BOOST_TEST(p.size() == 0u);
  BOOST_TEST(!p.next(t0 + 1h).wake);
}

BOOST_AUTO_TEST_CASE(share_zero_or_an_unlimited_budget_means_cadences_only) {
  planner none(spare(0, 1s), 600, t0);
  none.track(active(1, order_state::submitted, t0), t0);
  BOOST_TEST(!none.enabled());
  BOOST_TEST(!none.next(t0 + 1h).id);
  BOOST_TEST(!none.next(t0 + 1h).wake);
  planner unlimited(spare(1, 1s), 0, t0);
  BOOST_TEST(!unlimited.enabled());
}

BOOST_AUTO_TEST_CASE(the_likeliest_order_goes_first) {
  planner p(spare(1, 1s), 600, t0);
  for (int i = 0; i < 50; ++i) p.learn({order_state::carrier_approval, "Verizon", 10min});
  for (int i = 0; i < 50; ++i) p.learn({order_state::carrier_approval, "T-Mobile", 3h});
  // Both entered carrier approval 11 minutes ago and were checked at 9 minutes: the Verizon
  // order has almost surely moved, the T-Mobile one almost surely not.
  p.track(active(1, order_state::carrier_approval, t0 - 11min, "T-Mobile"), t0 - 2min);
  p.track(active(2, order_state::carrier_approval, t0 - 11min, "Verizon"), t0 - 2min);
  BOOST_TEST(p.expected_news(2, t0) > 0.9);
  BOOST_TEST(p.expected_news(1, t0) < 0.1);
  const auto pick = p.next(t0);
  BOOST_TEST_REQUIRE(pick.id.has_value());
  BOOST_TEST(*pick.id == 2);
  BOOST_TEST(p.expected_news(2, t0) == 0.0);  // just checked
}

BOOST_AUTO_TEST_CASE(spare_checks_keep_to_the_share_and_to_min_interval) {
  // 60 requests a minute, half of them spare: one spare check every 2 s at most.
  planner p(spare(0.5, 10s), 60, t0);
  for (std::int64_t id = 1; id <= 100; ++id) p.track(active(id, order_state::submitted, t0 - 1h), t0 - 1h);
  std::map<std::int64_t, std::vector<time_point>> checks;
  int total = 0;
  time_point now = t0;
  const time_point end = t0 + 10min;
  while (now < end) {
    auto pick = p.next(now);
    if (pick.id) {
      checks[*pick.id].push_back(now);
      ++total;
      continue;  // ask again at the same instant: the token is spent
    }
    BOOST_TEST_REQUIRE(pick.wake.has_value());
    BOOST_TEST_REQUIRE((*pick.wake > now));
    now = *pick.wake;
  }
  // 600 s at 0.5/s, plus the one token it starts with.
  BOOST_TEST(total <= 301);
  BOOST_TEST(total >= 299);
  for (const auto& [id, at] : checks)
    for (std::size_t i = 1; i < at.size(); ++i) BOOST_TEST((at[i] - at[i - 1] >= 10s), "order " << id);
  // Few orders for the budget: min_interval, not the share, is the limit.
  planner few(spare(1, 10s), 3, t0 - 1min);  // a token every 20 s, three saved up
  few.track(active(1, order_state::submitted, t0 - 1h), t0 - 1h);
  few.track(active(2, order_state::submitted, t0 - 1h), t0 - 1h);
  BOOST_TEST(few.next(t0).id.has_value());
  BOOST_TEST(few.next(t0).id.has_value());
  const auto after = few.next(t0 + 1s);
  BOOST_TEST(!after.id);
  BOOST_TEST((after.wake == t0 + 10s));
}

// [poll] min_interval is a maximum: when the budget would let a round-robin check every order
// more often than that, the spare budget may check one order up to four times as often as its
// even share. With 10 s held to, 30 orders at 300/min (round-robin: each every 6 s) were
// checked at most every 10 s and lost to round-robin (bench freshness, p95 9.7×).
BOOST_AUTO_TEST_CASE(min_interval_gives_way_when_the_budget_covers_every_order_more_often) {
  planner p(spare(1, 10s), 300, t0);  // 5 spare checks a second
  for (std::int64_t id = 1; id <= 30; ++id) p.track(active(id, order_state::submitted, t0 - 1h), t0 - 1h);
  // Round-robin's turn over 30 orders is 6 s: one order may be checked every 1.5 s.
  BOOST_TEST((p.min_interval() == 1500ms));
  const auto first = p.next(t0);
  BOOST_TEST_REQUIRE(first.id.has_value());
  // Every other order was last checked an hour ago: the one just checked comes back first
  // only once its gap has passed, never within it.
  std::map<std::int64_t, time_point> last{{*first.id, t0}};
  for (time_point now = t0; now < t0 + 1min; now += 100ms) {
    for (auto pick = p.next(now); pick.id; pick = p.next(now)) {
      if (auto it = last.find(*pick.id); it != last.end()) BOOST_TEST((now - it->second >= 1500ms), "order " << *pick.id);
      last[*pick.id] = now;
    }
  }
  BOOST_TEST(last.size() == 30u);
  // Many orders for the budget: the key holds.
  planner many(spare(1, 10s), 300, t0);
  for (std::int64_t id = 1; id <= 1000; ++id) many.track(active(id, order_state::submitted, t0 - 1h), t0 - 1h);
  BOOST_TEST((many.min_interval() == 10s));
}

// The spare check goes to the order whose news has waited longest in expectation (its chance
// of news over the time since its last check), not to the one with the highest chance: an
// order at its likeliest no longer takes every spare check while another's flip waits.
BOOST_AUTO_TEST_CASE(an_order_left_alone_is_not_starved_by_one_at_its_likeliest) {
  planner p(spare(1, 1s), 600, t0);
  // A fresh submission often moves within minutes (the prior); carrier approval takes days.
  p.track(active(1, order_state::submitted, t0 - 2min), t0 - 1min);
  p.track(active(2, order_state::carrier_approval, t0 - 5h), t0 - 30min);
  BOOST_TEST(p.expected_news(1, t0) > 2 * p.expected_news(2, t0));
  const auto pick = p.next(t0);
  BOOST_TEST_REQUIRE(pick.id.has_value());
  BOOST_TEST(*pick.id == 2);
}

BOOST_AUTO_TEST_CASE(a_scheduled_port_waits_for_its_date_then_rises) {
  planner p(spare(1, 1s), 600, t0);
  order o = active(1, order_state::scheduled, t0 - 1h);
  o.reported_port_date = "2026-12-02";  // starts at 2026-12-02T00:00Z, 9 h after t0
  p.track(o, t0);
  const time_point start = *portd::porting::parse_time("2026-12-02T00:00:00.000Z");
  BOOST_TEST(p.expected_news(1, start - 1min) == 0.0);
  const auto before = p.next(t0 + 1min);
  BOOST_TEST(!before.id);
  BOOST_TEST((before.wake == start));  // no polling of it in between: the next chance is the date
  BOOST_TEST(p.expected_news(1, start + 2h) > p.expected_news(1, start + 10min));
  BOOST_TEST(p.next(start + 10min).id.has_value());
}

BOOST_AUTO_TEST_CASE(the_same_history_gives_the_same_plan) {
  // What a restart does: the statistics rebuilt from the same stays choose the same orders.
  auto build = [] {
    planner p(spare(1, 1s), 600, t0);
    for (int i = 0; i < 40; ++i) p.learn({order_state::submitted, "Verizon", milliseconds{60'000 + i * 1'000}});
    for (int i = 0; i < 40; ++i) p.learn({order_state::carrier_approval, "T-Mobile", milliseconds{600'000 + i * 5'000}});
    for (std::int64_t id = 1; id <= 20; ++id)
      p.track(active(id, id % 2 ? order_state::submitted : order_state::carrier_approval, t0 - milliseconds{id * 37'000},
                     id % 2 ? "Verizon" : "T-Mobile"),
              t0 - milliseconds{id * 11'000});
    return p;
  };
  planner a = build(), b = build();
  for (int i = 0; i < 20; ++i) {
    const time_point now = t0 + milliseconds{i * 200};
    const auto pa = a.next(now), pb = b.next(now);
    BOOST_TEST((pa.id == pb.id));
    BOOST_TEST((pa.wake == pb.wake));
  }
}

// The scheduler arms its timer from next_at(): it must never ask for a wake-up that finds
// nothing and asks again at once (a busy timer).
BOOST_AUTO_TEST_CASE(next_at_never_asks_twice_for_nothing) {
  planner p(spare(1, 10s), 3, t0);  // two orders at 3 a minute: min_interval (10 s) holds
  BOOST_TEST(!p.next_at(t0));  // nothing tracked: no timer
  p.track(active(1, order_state::submitted, t0 - 1h), t0);
  p.track(active(2, order_state::submitted, t0 - 1h), t0);
  // An order with a call out is refused by `may`; the other was checked just now.
  auto busy = [](std::int64_t id) { return id != 2; };
  BOOST_TEST((p.next_at(t0) == t0));  // worth asking
  const auto pick = p.next(t0, busy);
  BOOST_TEST(!pick.id);
  BOOST_TEST((pick.wake == t0 + 10s));
  BOOST_TEST((p.next_at(t0 + 1s) == t0 + 10s));  // remembered: no asking in between
  // Order 2's call ends (its check is recorded): worth asking again, and it is picked once
  // min_interval has passed since that check.
  p.checked(2, t0 + 2s);
  BOOST_TEST((p.next_at(t0 + 2s) == t0 + 2s));
  BOOST_TEST(!p.next(t0 + 2s).id);
  BOOST_TEST((p.next_at(t0 + 3s) == t0 + 10s));
  const auto later = p.next(t0 + 10s);
  BOOST_TEST_REQUIRE(later.id.has_value());
  BOOST_TEST(*later.id == 1);
}

// A large book is scored a slice at a time, but an order worth a check anywhere in it is found,
// and "nothing to do" is only concluded after every order was looked at.
BOOST_AUTO_TEST_CASE(a_large_book_is_searched_in_slices_to_the_end) {
  planner p(spare(1, 1min), 600, t0);
  for (std::int64_t id = 1; id <= 10'000; ++id) p.track(active(id, order_state::submitted, t0 - 1h), t0);
  p.checked(9'000, t0 - 10min);  // re-dated below: only this one is out of min_interval
  p.forget(9'000);
  p.track(active(9'000, order_state::submitted, t0 - 1h), t0 - 10min);
  const auto pick = p.next(t0 + 30s);
  BOOST_TEST_REQUIRE(pick.id.has_value());
  BOOST_TEST(*pick.id == 9'000);
  const auto none = p.next(t0 + 31s);
  BOOST_TEST(!none.id);
  BOOST_TEST((none.wake == t0 + 1min));
  BOOST_TEST(p.size() == 10'000u);
}

// Telegent's status can move within one portd state (Pending → Submitted, both `submitted`):
// that begins a new stay, so the learned stays and the chance of news count from it.
BOOST_AUTO_TEST_CASE(a_new_remote_status_begins_a_new_stay) {
  planner p(spare(1, 1s), 600, t0);
  order o = active(1, order_state::submitted, t0 - 30min);
  p.track(o, t0 - 1min);
  BOOST_TEST((p.stay_since(1) == t0 - 30min));
  p.track(o, t0, t0);  // the status moved at t0
  BOOST_TEST((p.stay_since(1) == t0));
  p.track(o, t0 + 1min);  // later bookkeeping keeps the stay's start
  BOOST_TEST((p.stay_since(1) == t0));
}

BOOST_AUTO_TEST_CASE(detection_latency_is_estimated_from_the_last_two_checks) {
  planner p(spare(1, 1s), 600, t0);
  p.track(active(1, order_state::carrier_approval, t0 - 1h), t0);
  p.checked(1, t0 + 60s);
  // Moved somewhere in (t0, t0 + 60 s]; the answer came back 1 s after the check left.
  BOOST_TEST((p.detected(1, t0 + 61s) == 31s));
  BOOST_TEST(!p.detected(2, t0));
}

BOOST_AUTO_TEST_CASE(a_restart_estimates_the_last_check_from_the_next) {
  const poll_policy p;
  order o = active(1, order_state::carrier_approval, t0 - 5h);
  BOOST_TEST((last_check_estimate(o, p) == t0 - 5h));
  o.next_check_at = t0 + 10min;
  BOOST_TEST((last_check_estimate(o, p) == t0 + 10min - p.carrier_approval));
}

BOOST_AUTO_TEST_CASE(why_a_guaranteed_check_comes_when_it_does) {
  const poll_policy p;
  order o = active(1, order_state::submitted, t0);
  BOOST_TEST(why_due(o, t0 + p.first_after_submit, p) == check_reason::after_submit);
  BOOST_TEST(why_due(o, t0 + p.submitted, p) == check_reason::cadence);
  order s = active(2, order_state::scheduled, t0 - 1h);
  s.details.port_in_date = "2026-12-02";
  const time_point start = *portd::porting::parse_time("2026-12-02T00:00:00.000Z");
  BOOST_TEST(why_due(s, start, p) == check_reason::port_date);
  BOOST_TEST(why_due(s, start + p.near_port_date, p) == check_reason::port_date);
  order r = active(3, order_state::rejected, t0);
  BOOST_TEST(why_due(r, t0 + p.rejected, p) == check_reason::cadence);
}

BOOST_AUTO_TEST_SUITE_END()
