// The request budget's pure state: rate, burst, priority, pause — with injected time.
#include <portd/telegent/budget_state.hpp>

#include <boost/test/unit_test.hpp>

#include <vector>

using namespace portd::telegent;
using namespace std::chrono_literals;
using portd::porting::time_point;
using kind = budget_state::action::kind;

namespace {
const time_point t0{std::chrono::milliseconds{1'000'000'000}};

// Grants everything that may go at `now`, in order.
std::vector<budget_state::ticket> drain(budget_state& b, time_point now) {
  std::vector<budget_state::ticket> out;
  for (;;) {
    const auto a = b.next(now);
    if (a.what != kind::grant) break;
    out.push_back(a.who);
  }
  return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(budget_state_tests)

BOOST_AUTO_TEST_CASE(starts_with_one_token_not_a_full_burst) {
  budget_state b({60, 5}, t0);
  for (int i = 0; i < 5; ++i) b.enqueue(priority::command);
  BOOST_TEST(drain(b, t0).size() == 1u);
  const auto a = b.next(t0);
  BOOST_TEST(a.what == kind::wait);
  BOOST_TEST((a.until == t0 + 1s));  // 60/min: one per second
}

BOOST_AUTO_TEST_CASE(serves_at_the_configured_rate) {
  budget_state b({50, 1}, t0);  // 50/min: one per 1.2 s
  for (int i = 0; i < 100; ++i) b.enqueue(priority::poll);
  int granted = static_cast<int>(drain(b, t0).size());
  time_point now = t0;
  // Follow the state's own wait instructions for one minute.
  while (true) {
    const auto a = b.next(now);
    if (a.what == kind::grant) {
      ++granted;
      continue;
    }
    BOOST_REQUIRE(a.what == kind::wait);
    BOOST_REQUIRE(a.until > now);
    if (a.until >= t0 + 60s) break;  // one minute: [t0, t0 + 60 s)
    now = a.until;
  }
  BOOST_TEST(granted == 50);  // t0, then every 1.2 s up to and including t0+58.8 s
}

BOOST_AUTO_TEST_CASE(idle_time_builds_up_to_the_burst_and_no_more) {
  budget_state b({60, 5}, t0);
  for (int i = 0; i < 20; ++i) b.enqueue(priority::command);
  drain(b, t0);
  BOOST_TEST(drain(b, t0 + 1h).size() == 5u);
  BOOST_TEST((b.next(t0 + 1h).what == kind::wait));
}

BOOST_AUTO_TEST_CASE(nobody_waiting_is_idle) {
  budget_state b({60, 5}, t0);
  BOOST_TEST((b.next(t0).what == kind::idle));
  const auto t = b.enqueue(priority::poll);
  BOOST_TEST(b.remove(t));
  BOOST_TEST(!b.remove(t));
  BOOST_TEST((b.next(t0).what == kind::idle));
}

BOOST_AUTO_TEST_CASE(commands_go_before_polls_even_when_polls_waited_first) {
  budget_state b({60, 1}, t0);
  drain(b, t0);  // nothing queued: the first token stays
  b.enqueue(priority::poll);  // ticket 1
  b.enqueue(priority::poll);  // 2
  // Use up the token on poll 1, then queue commands behind poll 2.
  BOOST_TEST(drain(b, t0) == std::vector<budget_state::ticket>{1});
  b.enqueue(priority::command);  // 3
  b.enqueue(priority::poll);     // 4
  b.enqueue(priority::command);  // 5
  std::vector<budget_state::ticket> order;
  for (int s = 1; s <= 4; ++s) {
    for (auto t : drain(b, t0 + std::chrono::seconds{s})) order.push_back(t);
  }
  BOOST_TEST(order == (std::vector<budget_state::ticket>{3, 5, 2, 4}));
}

// A resend under the duplicate guard is safe only while the first attempt's order is active:
// it passes a backlog of commands (a bulk import) that queued before it.
BOOST_AUTO_TEST_CASE(guarded_resends_go_before_a_command_backlog) {
  budget_state b({60, 1}, t0);
  drain(b, t0);
  std::vector<budget_state::ticket> commands;
  for (int i = 0; i < 50; ++i) commands.push_back(b.enqueue(priority::command));
  b.enqueue(priority::poll);
  BOOST_TEST(drain(b, t0).size() == 1u);  // the one token: command 1
  const auto guarded = b.enqueue(priority::guarded);
  BOOST_TEST(drain(b, t0 + 1s) == std::vector<budget_state::ticket>{guarded});
  BOOST_TEST(drain(b, t0 + 2s) == std::vector<budget_state::ticket>{commands[1]});
  BOOST_TEST(b.remove(commands[2]));
  BOOST_TEST(b.waiting() == 48u);  // 47 commands and the poll
}

BOOST_AUTO_TEST_CASE(fifo_within_a_class) {
  budget_state b({0, 1}, t0);  // unlimited
  std::vector<budget_state::ticket> want;
  for (int i = 0; i < 5; ++i) want.push_back(b.enqueue(priority::poll));
  BOOST_TEST(drain(b, t0) == want);
}

BOOST_AUTO_TEST_CASE(pause_blocks_every_class_until_it_ends) {
  budget_state b({60, 5}, t0);
  b.pause_until(t0 + 30s);
  b.enqueue(priority::command);
  b.enqueue(priority::poll);
  const auto a = b.next(t0 + 10s);
  BOOST_TEST(a.what == kind::wait);
  BOOST_TEST((a.until == t0 + 30s));
  BOOST_TEST(drain(b, t0 + 29'999ms).empty());
  BOOST_TEST((b.paused_until(t0 + 1s) == t0 + 30s));
  BOOST_TEST(drain(b, t0 + 30s).size() == 1u);
  BOOST_TEST(!b.paused_until(t0 + 30s).has_value());
}

BOOST_AUTO_TEST_CASE(a_pause_also_holds_back_an_unlimited_budget) {
  budget_state b({0, 1}, t0);
  b.pause_until(t0 + 5s);
  b.enqueue(priority::command);
  BOOST_TEST(drain(b, t0 + 4s).empty());
  BOOST_TEST(drain(b, t0 + 5s).size() == 1u);
}

BOOST_AUTO_TEST_CASE(no_burst_after_a_pause) {
  budget_state b({60, 10}, t0);
  b.pause_until(t0 + 5min);  // long enough to have filled the bucket ten times over
  for (int i = 0; i < 10; ++i) b.enqueue(priority::poll);
  BOOST_TEST(drain(b, t0 + 5min).size() == 1u);
  BOOST_TEST(drain(b, t0 + 5min + 500ms).empty());
  BOOST_TEST(drain(b, t0 + 5min + 1s).size() == 1u);
  BOOST_TEST(drain(b, t0 + 5min + 2s).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_shorter_pause_never_shortens_a_longer_one) {
  budget_state b({60, 5}, t0);
  b.pause_until(t0 + 60s);
  b.pause_until(t0 + 10s);
  b.enqueue(priority::command);
  BOOST_TEST(drain(b, t0 + 30s).empty());
  BOOST_TEST(drain(b, t0 + 60s).size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_wait_always_lies_in_the_future) {
  budget_state b({7, 1}, t0);  // an interval that is no whole number of milliseconds
  for (int i = 0; i < 50; ++i) b.enqueue(priority::poll);
  time_point now = t0;
  int granted = 0;
  for (int step = 0; step < 200 && granted < 20; ++step) {
    const auto a = b.next(now);
    if (a.what == kind::grant) {
      ++granted;
      continue;
    }
    BOOST_REQUIRE(a.until > now);
    now = a.until;
  }
  BOOST_TEST(granted == 20);
  BOOST_TEST((now - t0 >= 19 * 60'000ms / 7));
}

BOOST_AUTO_TEST_SUITE_END()
