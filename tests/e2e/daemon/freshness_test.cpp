// Freshness end to end (issue 18): how soon portd notices that Telegent moved an order, with
// the configuration a new user writes — only the documented per-state [poll] cadences.
#include <common/stack.hpp>

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace json = boost::json;
using portd::test::port_in_params;
using portd::test::stack;
using portd::test::stack_options;

namespace {

// Ten port-ins that the simulator completes (it completes a number ending in 0, 1, 2, 3 or 9),
// numbered from `prefix`.
std::vector<std::int64_t> submit_ten_that_complete(stack& s, const std::string& prefix) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 10; ++i) {
    const std::string number = prefix + std::to_string(i) + "01239"[i % 5];
    ids.push_back(s.result("portin.submit", port_in_params(number))["order"].as_object()["id"].as_int64());
  }
  return ids;
}

// Every order completed, the last one no later than 30 s after `start`.
void all_complete_within_30s(stack& s, const std::vector<std::int64_t>& ids,
                             std::chrono::steady_clock::time_point start) {
  for (const auto id : ids) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::seconds(30) -
                                                                            (std::chrono::steady_clock::now() - start));
    BOOST_TEST_REQUIRE(left.count() > 0, "30 s passed before order " << id << " settled");
    auto order = s.wait_for_state(id, "completed", left);
    BOOST_TEST(order["state"] == "completed");
  }
}

// Never over the budget: the simulator refused nothing with a 429 and saw no request that
// came before a wait it had told.
void nothing_over_budget(stack& s) {
  auto st = s.sim_stats();
  BOOST_TEST(st["rate_limited"].as_int64() == 0);
  BOOST_TEST(st["violations"].as_int64() == 0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(daemon_freshness)

// The cadences are guarantees: the first check after a submission is never later than the
// `submitted` cadence (it used to wait for first_after_submit, 2 minutes, whatever the cadence).
// The simulator runs a day per second, so each port's whole script (Submitted → Carrier Approval
// → Scheduled → Completed) takes about two real seconds; a poller that keeps its 1 s cadences
// settles all ten well inside 30 s.
BOOST_AUTO_TEST_CASE(ten_port_ins_settle_within_30s_with_only_the_documented_cadences_at_1s) {
  stack_options o;
  o.poll = "1s";
  o.poll_every_key = false;  // no first_after_submit, no near_port_date: only the documented keys
  o.requests_per_minute = 600;
  o.burst = 5;
  o.sim_rpm = 600;
  stack s(o);
  s.start_portd();

  const auto start = std::chrono::steady_clock::now();
  all_complete_within_30s(s, submit_ten_that_complete(s, "+180155512"), start);
  nothing_over_budget(s);
}

// The spare budget: with every cadence at an hour, nothing but the checks beyond the cadences
// can see these ports move within the test; spent where news is likeliest, they settle all ten
// well inside 30 s, never over the budget. The reply and `portctl show` say when the order will
// be checked at the latest and why; the metrics count the spare checks and the detection delay.
BOOST_AUTO_TEST_CASE(budget_the_cadences_leave_over_finds_the_news) {
  stack_options o;
  o.poll = "1h";
  o.poll_extra = "spare_share = 0.8\nmin_interval = \"1s\"";
  o.requests_per_minute = 600;
  o.burst = 5;
  o.sim_rpm = 600;
  stack s(o);
  s.start_portd();

  const auto start = std::chrono::steady_clock::now();
  const auto ids = submit_ten_that_complete(s, "+180155513");
  // The simulator keeps a number ending in 8 in carrier approval for ever.
  const auto stuck = s.result("portin.submit", port_in_params("+18015551398"))["order"].as_object()["id"].as_int64();
  all_complete_within_30s(s, ids, start);
  s.wait_for_state(stuck, "carrier_approval", std::chrono::seconds(30));
  auto got = s.result("order.get", {{"id", stuck}})["order"].as_object();
  BOOST_TEST(got["next_check_reason"] == "cadence");
  BOOST_TEST_REQUIRE(got.contains("expected_news"));
  BOOST_TEST(got["expected_news"].to_number<double>() >= 0.0);
  BOOST_TEST(got["expected_news"].to_number<double>() <= 1.0);
  const auto [code, show] = s.portctl({"show", std::to_string(stuck)});
  BOOST_TEST(code == 0);
  BOOST_TEST(show.find("at the latest (the state's poll") != std::string::npos, show);  // (lines wrap)
  BOOST_TEST(show.find("chance of news") != std::string::npos, show);

  const std::string metrics(s.result("daemon.metrics")["text"].as_string());
  auto value = [&](const std::string& name) {
    const auto at = metrics.find("\n" + name + " ");
    BOOST_TEST_REQUIRE(at != std::string::npos, name << " missing in\n" << metrics);
    return std::stod(metrics.substr(at + name.size() + 2));
  };
  BOOST_TEST(value("portd_poll_checks_total{class=\"spare\"}") > 0);
  BOOST_TEST(value("portd_poll_detection_latency_seconds_count") >= 10);
  nothing_over_budget(s);
}

BOOST_AUTO_TEST_SUITE_END()
