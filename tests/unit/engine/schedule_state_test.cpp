// The scheduler's pure state: due order, guarded resends first, poll slots, the timer's next
// time, the spare poller's seam, lateness — with injected time.
#include <portd/engine/schedule_state.hpp>

#include <boost/test/unit_test.hpp>

#include <optional>
#include <vector>

using namespace portd::engine;
using namespace std::chrono_literals;
using portd::porting::time_point;

namespace {
const time_point t0{std::chrono::milliseconds{1'000'000'000}};

// Everything handed out at `now`, in order; each plain one takes a poll slot as the engine does.
std::vector<std::int64_t> drain(schedule_state& s, time_point now) {
  std::vector<std::int64_t> out;
  while (auto e = s.take(now)) {
    out.push_back(e->id);
    if (!e->guarded) s.reserve_poll();
  }
  return out;
}

struct scripted_spare : spare_poller {
  std::optional<std::int64_t> next;
  std::optional<time_point> when;
  std::optional<std::int64_t> pick(time_point) override { return std::exchange(next, std::nullopt); }
  std::optional<time_point> next_at(time_point) override { return when; }
};
}  // namespace

BOOST_AUTO_TEST_SUITE(schedule_state_tests)

BOOST_AUTO_TEST_CASE(hands_out_due_orders_earliest_first_and_not_before_their_time) {
  schedule_state s(10);
  s.schedule(1, t0 + 3s);
  s.schedule(2, t0 + 1s);
  s.schedule(3, t0 + 2s);
  BOOST_TEST(drain(s, t0).empty());
  BOOST_TEST(drain(s, t0 + 2s) == (std::vector<std::int64_t>{2, 3}));
  BOOST_TEST(s.waiting() == 1u);
  BOOST_TEST(drain(s, t0 + 5s) == (std::vector<std::int64_t>{1}));
  BOOST_TEST(s.waiting() == 0u);
}

BOOST_AUTO_TEST_CASE(a_new_time_replaces_the_old_one) {
  schedule_state s(10);
  s.schedule(1, t0 + 1s);
  s.schedule(1, t0 + 10s);  // the old entry is stale now
  BOOST_TEST(drain(s, t0 + 5s).empty());
  BOOST_TEST((s.due_at(1) == t0 + 10s));
  s.forget(1);
  BOOST_TEST(drain(s, t0 + 1h).empty(), "a forgotten order is never handed out");
}

BOOST_AUTO_TEST_CASE(polls_wait_for_a_free_slot_and_guarded_resends_do_not) {
  schedule_state s(2);
  for (int id = 1; id <= 4; ++id) s.schedule(id, t0 + std::chrono::seconds(id));
  s.schedule(9, t0 + 9s, true);
  BOOST_TEST(drain(s, t0 + 10s) == (std::vector<std::int64_t>{9, 1, 2}), "the resend first, then two polls");
  BOOST_TEST(!s.slot_free());
  s.poll_launched(true);  // one reservation becomes a poll out
  s.poll_done();          // and ends: a slot is free again
  BOOST_TEST(drain(s, t0 + 10s) == (std::vector<std::int64_t>{3}));
  s.drop_reservations();  // the group that decided them failed to commit
  s.poll_done();
  BOOST_TEST(drain(s, t0 + 10s) == (std::vector<std::int64_t>{4}));
}

BOOST_AUTO_TEST_CASE(the_timer_wakes_for_the_next_order_that_may_go) {
  schedule_state s(1);
  BOOST_TEST(!s.wake_at(t0), "nothing waits: no timer");
  s.schedule(1, t0 + 5s);
  s.schedule(2, t0 + 7s, true);
  BOOST_TEST((s.wake_at(t0) == t0 + 5s));
  s.reserve_poll();  // the only slot is taken: an order already due waits for it, not for a timer
  BOOST_TEST((s.wake_at(t0 + 6s) == t0 + 7s), "only the guarded resend needs the timer");
}

BOOST_AUTO_TEST_CASE(the_spare_poller_is_asked_only_while_a_slot_is_free) {
  schedule_state s(1);
  scripted_spare spare;
  spare.when = t0 + 2s;
  s.schedule(1, t0 + 5s);
  BOOST_TEST((s.wake_at(t0, &spare) == t0 + 2s), "the planner may want the loop sooner");
  s.reserve_poll();
  BOOST_TEST((s.wake_at(t0, &spare) == t0 + 5s), "every slot taken: the planner is not asked");
}

BOOST_AUTO_TEST_CASE(lateness_is_counted_in_cumulative_buckets) {
  schedule_state s(10);
  s.schedule(1, t0);
  s.schedule(2, t0 - 30s);
  (void)drain(s, t0 + 500ms);
  const auto& l = s.late();
  BOOST_TEST(l.count == 2u);
  BOOST_TEST(l.buckets[0] == 0u);  // ≤ 0.1 s
  BOOST_TEST(l.buckets[1] == 1u);  // ≤ 1 s: order 1
  BOOST_TEST(l.buckets[3] == 2u);  // ≤ 60 s: both
  BOOST_TEST(l.sum == 31.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_SUITE_END()
