// Unit tests: spread dwell times — drawn delays, per-carrier profiles, timed changes, the
// port-date delay, and the config keys that set them; injected time.
#include <telegent_sim/carrier.hpp>
#include <telegent_sim/config.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

using namespace telegent_sim;
using namespace std::chrono_literals;

namespace {
const real_time t0 = std::chrono::time_point_cast<std::chrono::microseconds>(
    std::chrono::sys_days{std::chrono::year{2026} / 1 / 5} + 9h);
const auto far = t0 + std::chrono::days{365};

carrier_profile spread_profile(double spread, dwell_distribution d = dwell_distribution::lognormal) {
  carrier_profile p;
  p.delays = {600s, 3600s, 7200s, 7200s, 0s};
  p.distribution = d;
  p.spread = spread;
  return p;
}

std::string number(int i) { return "+1555" + std::to_string(2000000 + i * 10); }  // last digit 0: completes

// Seconds from submit to each flip of a port-in submitted at t0 and looked at much later.
std::vector<double> flip_offsets(carrier& c, const std::string& num, const std::string& losing_carrier = "Verizon",
                                 std::optional<std::chrono::sys_days> date = std::nullopt) {
  auto r = c.submit_port_in({"DID-a", num, std::nullopt, date, losing_carrier}, "JNUOID-" + num, t0);
  BOOST_REQUIRE(r.has_value());
  const order& o = **c.observe("DID-a", (*r)->id, far);
  std::vector<double> out;
  for (const auto& f : o.flips) out.push_back(double((f.flip_at - t0).count()) / 1e6);
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

BOOST_AUTO_TEST_SUITE(dwell)

BOOST_AUTO_TEST_CASE(a_lognormal_spread_varies_each_order_around_the_median) {
  sim_clock clock(t0, 1.0);
  carrier c(clock, dialect::lifecycle, dwell_model{spread_profile(0.5), {}, {}}, 42);
  std::vector<double> submitted, approval;
  for (int i = 0; i < 400; ++i) {
    const auto f = flip_offsets(c, number(i));
    BOOST_REQUIRE(f.size() == 4u);
    submitted.push_back(f[0]);
    approval.push_back(f[1] - f[0]);
  }
  // Around the medians (600 s, 3600 s), and spread: not one fixed value.
  BOOST_TEST(median(submitted) > 540);
  BOOST_TEST(median(submitted) < 660);
  BOOST_TEST(median(approval) > 3240);
  BOOST_TEST(median(approval) < 3960);
  const auto [lo, hi] = std::minmax_element(submitted.begin(), submitted.end());
  BOOST_TEST(*lo < 300);  // e^(-0.5·2) ≈ 0.37 of the median is within reach of 400 draws
  BOOST_TEST(*hi > 1200);
}

BOOST_AUTO_TEST_CASE(the_same_seed_plays_a_number_the_same_whatever_the_order_of_submits) {
  sim_clock clock(t0, 1.0);
  carrier a(clock, dialect::lifecycle, dwell_model{spread_profile(0.5), {}, {}}, 7);
  carrier b(clock, dialect::lifecycle, dwell_model{spread_profile(0.5), {}, {}}, 7);
  carrier other_seed(clock, dialect::lifecycle, dwell_model{spread_profile(0.5), {}, {}}, 8);
  const auto first_a = flip_offsets(a, number(1));
  const auto second_a = flip_offsets(a, number(2));
  const auto second_b = flip_offsets(b, number(2));  // b sees them in the other order
  const auto first_b = flip_offsets(b, number(1));
  BOOST_TEST(first_a == first_b);
  BOOST_TEST(second_a == second_b);
  BOOST_TEST(first_a != second_a);
  BOOST_TEST(flip_offsets(other_seed, number(1)) != first_a);
}

BOOST_AUTO_TEST_CASE(an_update_draws_new_delays) {
  sim_clock clock(t0, 1.0);
  carrier c(clock, dialect::lifecycle, dwell_model{spread_profile(0.5), {}, {}}, 3);
  const std::string num = "+15552000005";  // rejected once, then completes
  auto r = c.submit_port_in({"DID-a", num, std::nullopt, std::nullopt, "Verizon"}, "JNUOID-u", t0);
  BOOST_REQUIRE(r.has_value());
  const order& rejected = **c.observe("DID-a", "JNUOID-u", far);
  BOOST_TEST(rejected.status == "Rejected");
  const auto first_submitted = rejected.flips[0].flip_at - t0;
  BOOST_REQUIRE(c.update("DID-a", "JNUOID-u", std::nullopt, far).has_value());
  const order& o = **c.observe("DID-a", "JNUOID-u", far + std::chrono::days{30});
  BOOST_TEST(o.status == "Completed");
  BOOST_REQUIRE(o.flips.size() == 7u);  // 3 of the first attempt, 4 of the second
  BOOST_TEST((o.flips[3].flip_at - far) != first_submitted);
}

BOOST_AUTO_TEST_CASE(each_losing_carrier_has_its_profile_and_others_the_standard_one) {
  sim_clock clock(t0, 1.0);
  dwell_model m{spread_profile(0, dwell_distribution::fixed), {}, {}};
  carrier_profile slow = spread_profile(0, dwell_distribution::fixed);
  slow.delays.submitted = 6000s;
  m.carriers["at&t"] = slow;
  carrier c(clock, dialect::lifecycle, m, 1);
  BOOST_TEST(flip_offsets(c, number(1), "AT&T")[0] == 6000.0);
  BOOST_TEST(flip_offsets(c, number(2), "Verizon")[0] == 600.0);
}

BOOST_AUTO_TEST_CASE(a_timed_change_slows_the_states_entered_after_it) {
  sim_clock clock(t0, 1.0);
  dwell_model m{spread_profile(0, dwell_distribution::fixed), {}, {{"Verizon", 3000s, 3.0}}};
  carrier c(clock, dialect::lifecycle, m, 1);
  // Submitted at 600 s and approval at 4200 s: Pending and Submitted entered before the change
  // (at 3000 s) keep their delays; carrier approval, entered after it, lasts 3 × 7200 s.
  const auto v = flip_offsets(c, number(1), "verizon");
  BOOST_REQUIRE(v.size() == 4u);
  BOOST_TEST(v[0] == 600.0);
  BOOST_TEST(v[1] == 4200.0);
  BOOST_TEST(v[2] == 4200.0 + 3 * 7200);
  BOOST_TEST(v[3] == 4200.0 + 6 * 7200);
  // Another carrier is not affected.
  const auto t = flip_offsets(c, number(2), "T-Mobile");
  BOOST_TEST(t[2] == 4200.0 + 7200);
}

BOOST_AUTO_TEST_CASE(a_port_date_completes_its_delay_after_the_start_of_the_day_or_after_scheduled) {
  sim_clock clock(t0, 1.0);
  carrier_profile p = spread_profile(0, dwell_distribution::fixed);
  p.delays.port_date = 3h;
  carrier c(clock, dialect::lifecycle, dwell_model{p, {}, {}}, 1);
  const auto day = std::chrono::floor<std::chrono::days>(t0) + std::chrono::days{5};
  const auto v = flip_offsets(c, number(1), "Verizon", day);
  const double expected = double(std::chrono::duration_cast<std::chrono::seconds>(day + 3h - t0).count());
  BOOST_TEST(v.back() == expected);
  // A date already passed: the delay after Scheduled (and one second).
  const auto past = flip_offsets(c, number(2), "Verizon", std::chrono::floor<std::chrono::days>(t0));
  BOOST_TEST(past.back() == past[2] + 1 + 3 * 3600);
}

BOOST_AUTO_TEST_CASE(fixed_delays_are_exactly_the_configured_ones) {
  for (auto d : {dwell_distribution::fixed, dwell_distribution::lognormal, dwell_distribution::uniform}) {
    BOOST_TEST(draw_delay(600s, d, 0, 12345).count() == 600'000'000);
  }
  BOOST_TEST(draw_delay(600s, dwell_distribution::uniform, 2.0, 1).count() >= 0);  // never negative
}

BOOST_AUTO_TEST_CASE(the_config_sets_spread_profiles_and_changes) {
  const auto c = parse_config(R"(
[delays]
submitted = 60
distribution = "lognormal"
spread = 0.4
port_date = 120

[carriers."AT&T"]
scheduled = 900
distribution = "uniform"

[[dwell_changes]]
carrier = "AT&T"
at = 3600
factor = 2.5
)");
  BOOST_TEST(c.delays.submitted.count() == 60);
  BOOST_TEST(c.delays.port_date.count() == 120);
  BOOST_TEST(c.dwell.standard.distribution == dwell_distribution::lognormal);
  BOOST_TEST(c.dwell.standard.spread == 0.4);
  BOOST_REQUIRE(c.dwell.carriers.count("at&t") == 1u);
  const carrier_profile& att = c.dwell.carriers.at("at&t");
  BOOST_TEST(att.delays.submitted.count() == 60);  // from [delays]
  BOOST_TEST(att.delays.scheduled.count() == 900);
  BOOST_TEST(att.distribution == dwell_distribution::uniform);
  BOOST_TEST(att.spread == 0.4);
  BOOST_REQUIRE(c.dwell.changes.size() == 1u);
  BOOST_TEST(c.dwell.changes[0].carrier == "AT&T");
  BOOST_TEST(c.dwell.changes[0].at.count() == 3600);
  BOOST_TEST(c.dwell.changes[0].factor == 2.5);
}

BOOST_AUTO_TEST_CASE(bad_dwell_keys_are_refused_by_name) {
  auto message = [](const char* toml) {
    try {
      parse_config(toml);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  BOOST_TEST(message("[delays]\ndistribution = \"gamma\"\n").find("delays.distribution") != std::string::npos);
  BOOST_TEST(message("[delays]\nspread = -1\n").find("delays.spread") != std::string::npos);
  BOOST_TEST(message("[carriers.Verizon]\nsubmited = 5\n").find("carriers.Verizon.submited") != std::string::npos);
  BOOST_TEST(message("[[dwell_changes]]\nat = 5\nfactor = 2\n").find("carrier") != std::string::npos);
  BOOST_TEST(message("[[dwell_changes]]\ncarrier = \"*\"\nfactor = 0\n").find("dwell_changes.factor") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
