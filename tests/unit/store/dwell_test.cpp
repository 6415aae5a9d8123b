// Dwell samples read back from the history at start: what Telegent's moves taught the poller
// survives a restart, and the plan built on them is the one the running daemon had.
#include <boost/test/unit_test.hpp>

#include "store_fixture.hpp"

#include <portd/poll/planner.hpp>
#include <portd/store/dwell.hpp>

using namespace portd;
using namespace portd::store;
using namespace portd::store::test;
using porting::event_type;
using porting::order_state;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t t0 = 1'764'000'000'000;

porting::order new_order(repository& repo, const std::string& number, const std::string& carrier) {
  auto o = full_order(number);
  o.state = order_state::received;
  o.client_ref.clear();
  o.details.carrier = carrier;
  repo.insert_order(o);
  repo.append_events(o, std::vector{record(event_type::created, order_state::received, order_state::received)},
                     at_ms(t0));
  repo.update_order(o);
  return o;
}

void move(repository& repo, porting::order& o, order_state to, std::int64_t at, const std::string& actor = "telegent") {
  auto r = record(event_type::state_changed, o.state, to);
  r.actor = actor;
  o.state = to;
  o.state_since = at_ms(at);
  repo.append_events(o, std::vector{r}, at_ms(at));
  repo.update_order(o);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_dwell)

BOOST_AUTO_TEST_CASE(stays_ended_by_telegent_are_read_back_oldest_first) {
  temp_dir dir;
  std::vector<poll::dwell_sample> live;  // what the running daemon learned as changes committed
  {
    repository repo(dir.db());
    repo.begin();
    auto a = new_order(repo, "+18015550101", "Verizon");
    move(repo, a, order_state::submitting, t0 + 100, "daemon");
    move(repo, a, order_state::submitted, t0 + 1'000);
    move(repo, a, order_state::carrier_approval, t0 + 61'000);  // 60 s submitted
    live.push_back({order_state::submitted, "Verizon", 60'000ms});
    auto b = new_order(repo, "+18015550102", "T-Mobile");
    move(repo, b, order_state::submitted, t0 + 2'000);
    move(repo, b, order_state::rejected, t0 + 92'000);  // 90 s submitted
    live.push_back({order_state::submitted, "T-Mobile", 90'000ms});
    move(repo, a, order_state::scheduled, t0 + 361'000);  // 300 s carrier approval
    live.push_back({order_state::carrier_approval, "Verizon", 300'000ms});
    // An operator's correction sends b back to submitted: a stay ended by a person, not Telegent.
    move(repo, b, order_state::submitted, t0 + 400'000, "operator:uid=1000");
    move(repo, b, order_state::completed, t0 + 430'000);  // 30 s submitted again
    live.push_back({order_state::submitted, "T-Mobile", 30'000ms});
    // An operator closing an order ends no stay the poller should learn from.
    move(repo, a, order_state::closed, t0 + 500'000, "operator:uid=1000");
    repo.commit();
  }
  repository reopened(dir.db());  // a restart
  const auto loaded = load_dwell_samples(reopened);
  BOOST_TEST(loaded.size() == live.size());
  for (std::size_t i = 0; i < std::min(loaded.size(), live.size()); ++i) {
    BOOST_TEST_CONTEXT("sample " << i) {
      BOOST_TEST(loaded[i].state == live[i].state);
      BOOST_TEST(loaded[i].carrier == live[i].carrier);
      BOOST_TEST(loaded[i].dwell.count() == live[i].dwell.count());
    }
  }

  // The plan: a planner fed from the database picks as the one that learned live did.
  auto plan = [](const std::vector<poll::dwell_sample>& samples) {
    porting::poll_policy p;
    p.spare_share = 1;
    p.min_interval = 1s;
    poll::planner pl(p, 600, at_ms(t0 + 600'000));
    for (const auto& s : samples) pl.learn(s);
    for (std::int64_t id = 1; id <= 6; ++id) {
      porting::order o;
      o.id = id;
      o.state = id % 2 ? order_state::submitted : order_state::carrier_approval;
      o.details.carrier = id % 3 ? "Verizon" : "T-Mobile";
      o.state_since = at_ms(t0 + 600'000 - id * 20'000);
      pl.track(o, at_ms(t0 + 600'000 - id * 7'000));
    }
    std::vector<std::int64_t> order;
    for (int i = 0; i < 6; ++i)
      if (auto pick = pl.next(at_ms(t0 + 600'000 + i * 100)); pick.id) order.push_back(*pick.id);
    return order;
  };
  BOOST_TEST(plan(loaded) == plan(live), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_window_bounds_the_work_at_start) {
  temp_dir dir;
  repository repo(dir.db());
  repo.begin();
  for (int i = 0; i < 20; ++i) {
    auto o = new_order(repo, "+1801555010" + std::to_string(i % 10) + std::to_string(i / 10), "Verizon");
    move(repo, o, order_state::submitted, t0 + i * 10'000);
    move(repo, o, order_state::carrier_approval, t0 + i * 10'000 + 5'000);
  }
  repo.commit();
  BOOST_TEST(load_dwell_samples(repo).size() == 20u);
  // The latest 6 events are the last two orders' three each: two stays.
  BOOST_TEST(load_dwell_samples(repo, 6).size() == 2u);
  BOOST_TEST(load_dwell_samples(repo, 6).back().dwell.count() == 5'000);
}

BOOST_AUTO_TEST_CASE(polled_orders_come_back_with_what_the_planner_needs) {
  temp_dir dir;
  repository repo(dir.db());
  repo.begin();
  auto a = new_order(repo, "+18015550101", "Verizon");
  move(repo, a, order_state::scheduled, t0 + 5'000);
  auto b = new_order(repo, "+18015550102", "T-Mobile");
  move(repo, b, order_state::completed, t0 + 6'000);
  repo.commit();
  std::vector<porting::order> polled;
  BOOST_TEST(for_each_polled_order(repo, [&](const porting::order& o) { polled.push_back(o); }) == 1u);
  BOOST_TEST_REQUIRE(polled.size() == 1u);
  BOOST_TEST(polled[0].id == a.id);
  BOOST_TEST(polled[0].state == order_state::scheduled);
  BOOST_TEST(polled[0].details.carrier == "Verizon");
  BOOST_TEST(polled[0].reported_port_date == a.reported_port_date);
  BOOST_TEST((polled[0].state_since == at_ms(t0 + 5'000)));
  BOOST_TEST((polled[0].next_check_at == a.next_check_at));
}

BOOST_AUTO_TEST_SUITE_END()
