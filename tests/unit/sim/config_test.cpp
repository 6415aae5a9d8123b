// Unit tests: the TOML config file.
#include <telegent_sim/config.hpp>

#include <boost/test/unit_test.hpp>

#include <stdexcept>

using namespace telegent_sim;

BOOST_AUTO_TEST_SUITE(config_file)

BOOST_AUTO_TEST_CASE(defaults_without_a_file) {
  const sim_config c;
  BOOST_REQUIRE(c.accounts.size() == 1u);
  BOOST_TEST(c.accounts[0].key == "DID-sim");
  BOOST_TEST(c.accounts[0].secret == "sim-secret");
  BOOST_TEST(c.rate_limit.requests_per_minute == 50.0);
  BOOST_TEST(c.rate_limit.burst == 10.0);
  BOOST_TEST(c.token_lifetime.count() == 300);
  BOOST_TEST(c.time_scale == 1.0);
  BOOST_TEST(c.carrier_dialect == dialect::lifecycle);
}

BOOST_AUTO_TEST_CASE(every_key_parses) {
  const auto c = parse_config(R"(
seed = 7
dialect = "kb"
time_scale = 3600
token_lifetime_seconds = 60
problem_casing = "pascal"
requests_per_minute = 0
burst = 5
violation_grace_ms = 250
retry_after_style = "http_date"

[[accounts]]
key = "DID-a"
secret = "a"

[[accounts]]
key = "DID-b"
secret = "b"

[delays]
submitted = 1
carrier_approval = 2
scheduled = 3
completed = 4

[faults]
delay_ms = 100
retry_after = 3
[faults.global]
status_503 = 0.05
[faults.endpoints.order]
hang = 0.01
)");
  BOOST_TEST(*c.seed == 7u);
  BOOST_TEST(c.carrier_dialect == dialect::kb);
  BOOST_TEST(c.time_scale == 3600.0);
  BOOST_TEST(c.token_lifetime.count() == 60);
  BOOST_TEST((c.casing == problem_casing::pascal));
  BOOST_TEST(c.rate_limit.requests_per_minute == 0.0);
  BOOST_TEST(c.rate_limit.burst == 5.0);
  BOOST_TEST(c.rate_limit.violation_grace.count() == 250);
  BOOST_TEST((c.retry_after == retry_after_style::http_date));
  BOOST_TEST(c.accounts.size() == 2u);
  BOOST_TEST(c.delays.completed.count() == 4);
  BOOST_TEST(c.faults.delay.count() == 100);
  BOOST_TEST(c.faults.global.at(fault_kind::status_503) == 0.05);
  BOOST_TEST(c.faults.endpoints.at("order").at(fault_kind::hang) == 0.01);
}

BOOST_AUTO_TEST_CASE(typos_and_bad_values_are_errors) {
  BOOST_CHECK_THROW(parse_config("requests_per_minut = 5"), std::runtime_error);
  BOOST_CHECK_THROW(parse_config("dialect = \"other\""), std::runtime_error);
  BOOST_CHECK_THROW(parse_config("time_scale = 0"), std::runtime_error);
  BOOST_CHECK_THROW(parse_config("[faults.global]\nstatus_999 = 1"), std::runtime_error);
  BOOST_CHECK_THROW(parse_config("this is not toml"), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()
