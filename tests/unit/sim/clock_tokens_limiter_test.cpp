// Unit tests: sim_clock, date formats, token scope/expiry, the rate limiter and violations.
#include <telegent_sim/rate_limiter.hpp>
#include <telegent_sim/time.hpp>
#include <telegent_sim/tokens.hpp>

#include <boost/test/unit_test.hpp>

using namespace telegent_sim;
using namespace std::chrono_literals;

namespace {
const real_time t0 = std::chrono::time_point_cast<std::chrono::microseconds>(
    std::chrono::sys_days{std::chrono::year{2026} / 1 / 5} + 9h);
}

BOOST_AUTO_TEST_SUITE(sim_clock_tests)

BOOST_AUTO_TEST_CASE(scale_and_advance_map_both_ways) {
  sim_clock c(t0, 60.0);  // a minute per second
  BOOST_TEST((c.to_sim(t0 + 10s) == as_sim(t0 + 10min)));
  BOOST_TEST((c.to_real(as_sim(t0 + 5min)) == t0 + 5s));
  c.set_scale(1.0, t0 + 10s);
  BOOST_TEST((c.to_sim(t0 + 20s) == as_sim(t0 + 10min + 10s)));
  // A past instant still maps back to when it happened under the old scale.
  BOOST_TEST((c.to_real(as_sim(t0 + 5min)) == t0 + 5s));
  c.advance(std::chrono::hours{24}, t0 + 20s);
  BOOST_TEST((c.to_sim(t0 + 21s) == as_sim(t0 + 24h + 10min + 11s)));
  // An instant skipped by the jump happened at the jump.
  BOOST_TEST((c.to_real(as_sim(t0 + 12h)) == t0 + 20s));
  BOOST_TEST(c.scale() == 1.0);
}

BOOST_AUTO_TEST_CASE(api_date_formats) {
  const auto t = t0 + 9h + 36min + 13s + 123456us;  // 18:36:13.123456
  BOOST_TEST(format_us_datetime(t) == "01/05/2026 06:36:13 PM");
  BOOST_TEST(format_us_datetime(t0 - 9h) == "01/05/2026 12:00:00 AM");
  BOOST_TEST(format_iso_7(t) == "2026-01-05T18:36:13.1234560+00:00");
  BOOST_TEST(format_iso_2(t) == "2026-01-05T18:36:13.12");
  BOOST_TEST(format_http_date(t) == "Mon, 05 Jan 2026 18:36:13 GMT");
  BOOST_TEST(parse_date("2026-02-28").has_value());
  BOOST_TEST(!parse_date("2026-02-30").has_value());
  BOOST_TEST(!parse_date("02/28/2026").has_value());
  BOOST_TEST(format_date(*parse_date("2026-02-28")) == "2026-02-28");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(token_authority_tests)

BOOST_AUTO_TEST_CASE(scope_is_the_path_without_query_case_insensitive) {
  BOOST_TEST(scope_of("https://api.telegent.com/v1.0/numbers/order?OrderId=x") == "/v1.0/numbers/order");
  BOOST_TEST(scope_of("http://127.0.0.1:4000/v1.0/Numbers/PortIn") == "/v1.0/numbers/portin");
  BOOST_TEST(scope_of("/v1.0/numbers/portout#frag") == "/v1.0/numbers/portout");
  BOOST_TEST(scope_of("https://api.telegent.com") == "/");
}

BOOST_AUTO_TEST_CASE(token_valid_only_for_its_endpoint_until_expiry) {
  std::mt19937_64 rng{1};
  token_authority auth({{"DID-a", "s"}}, 300s);
  BOOST_TEST(auth.issue("DID-a", "wrong", "https://x/v1.0/numbers/order", t0, rng).error() == sim_errc::bad_credentials);
  BOOST_TEST(auth.issue("DID-b", "s", "https://x/v1.0/numbers/order", t0, rng).error() == sim_errc::bad_credentials);
  auto grant = auth.issue("DID-a", "s", "https://api.telegent.com/v1.0/numbers/order?OrderId=1", t0, rng);
  BOOST_REQUIRE(grant.has_value());
  BOOST_TEST((grant->expires_at == t0 + 300s));
  BOOST_TEST(*auth.authorize(grant->token, "/v1.0/numbers/order", t0 + 299s) == "DID-a");
  BOOST_TEST(*auth.authorize(grant->token, "/V1.0/Numbers/Order", t0) == "DID-a");
  BOOST_TEST(auth.authorize(grant->token, "/v1.0/numbers/portin", t0).error() == sim_errc::token_wrong_scope);
  BOOST_TEST(auth.authorize(grant->token, "/v1.0/numbers/order", t0 + 300s).error() == sim_errc::token_expired);
  BOOST_TEST(auth.authorize("nope", "/v1.0/numbers/order", t0).error() == sim_errc::token_unknown);
  BOOST_TEST(auth.authorize("", "/v1.0/numbers/order", t0).error() == sim_errc::token_missing);
  // The owner is known even when the token is no longer valid (the limiter counts it).
  BOOST_TEST(*auth.owner(grant->token) == "DID-a");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(rate_limiter_tests)

BOOST_AUTO_TEST_CASE(burst_then_wait_rounded_up) {
  rate_limiter lim({60, 3});  // one token per second, three at once
  for (int i = 0; i < 3; ++i) BOOST_TEST(!lim.take("a", t0).has_value());
  const auto wait = lim.take("a", t0 + 100ms);
  BOOST_REQUIRE(wait.has_value());
  BOOST_TEST(wait->count() == 1);  // 0.9 s rounded up
  BOOST_TEST(!lim.take("b", t0).has_value());  // per account
  BOOST_TEST(lim.violations() == 0u);
}

BOOST_AUTO_TEST_CASE(requests_inside_the_told_wait_are_violations) {
  rate_limiter lim({50, 10, 0ms});
  for (int i = 0; i < 10; ++i) BOOST_TEST(!lim.take("a", t0).has_value());
  const auto wait = lim.take("a", t0);
  BOOST_REQUIRE(wait.has_value());
  BOOST_TEST(wait->count() == 2);  // 1.2 s until a token at 50/min
  BOOST_TEST(!lim.violation("a", t0 + 2s).has_value());
  auto v = lim.violation("a", t0 + 500ms);
  BOOST_REQUIRE(v.has_value());
  BOOST_TEST(v->count() == 2);  // 1.5 s left, rounded up
  BOOST_TEST(lim.violations() == 1u);
  BOOST_TEST(!lim.violation("a", t0 + 2s).has_value());
  BOOST_TEST(lim.violations() == 1u);
  BOOST_TEST(!lim.take("a", t0 + 2s).has_value());
}

BOOST_AUTO_TEST_CASE(requests_already_in_flight_get_a_grace) {
  rate_limit_config cfg{50, 1};
  cfg.violation_grace = 100ms;
  rate_limiter lim(cfg);
  BOOST_TEST(!lim.take("a", t0).has_value());
  BOOST_REQUIRE(lim.take("a", t0).has_value());            // told to wait 2 s
  BOOST_TEST(lim.violation("a", t0 + 99ms).has_value() == false);   // left before the 429 arrived
  BOOST_TEST(lim.violation("a", t0 + 100ms).has_value());  // ignoring Retry-After is caught
  BOOST_TEST(lim.violations() == 1u);
  // A 429 told inside the window does not restart the grace.
  lim.told_to_wait("a", t0 + 1s, 5s);
  BOOST_TEST(lim.violation("a", t0 + 1s + 50ms).has_value());
  BOOST_TEST(lim.violations() == 2u);
}

BOOST_AUTO_TEST_CASE(a_wait_told_by_a_fault_counts_too) {
  rate_limiter lim({50, 10});
  lim.told_to_wait("a", t0, 7s);
  BOOST_TEST(lim.violation("a", t0 + 6s).has_value());
  BOOST_TEST(!lim.violation("a", t0 + 7s).has_value());
  BOOST_TEST(lim.violations() == 1u);
}

BOOST_AUTO_TEST_CASE(each_violation_is_logged_with_the_wait_it_broke) {
  rate_limiter lim({50, 10, 0ms});
  lim.told_to_wait("a", t0, 3s);
  lim.told_to_wait("a", t0 + 1s, 1s);  // a second 429 inside the first wait
  BOOST_REQUIRE(lim.violation("a", t0 + 1500ms).has_value());
  BOOST_REQUIRE(lim.violation_log().size() == 1u);
  const auto& v = lim.violation_log().front();
  BOOST_TEST(v.account == "a");
  BOOST_TEST((v.at == t0 + 1500ms));
  BOOST_TEST((v.last_told_at == t0 + 1s));  // the latest wait told before it
  BOOST_TEST((v.told_until == t0 + 3s));
  BOOST_TEST(!lim.violation("a", t0 + 3s).has_value());
  BOOST_TEST(lim.violation_log().size() == 1u);
}

BOOST_AUTO_TEST_CASE(zero_rate_disables_the_limit) {
  rate_limiter lim({0, 1});
  for (int i = 0; i < 1000; ++i) BOOST_TEST_REQUIRE(!lim.take("a", t0).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
