// [poll] in the configuration: the cadences are guarantees, the spare budget's keys are checked.
#include <common/process.hpp>
#include <portd/runtime/config.hpp>

#include <boost/test/unit_test.hpp>

using namespace portd::runtime;
using namespace std::chrono_literals;
using portd::test::temp_dir;
using portd::test::write_file;

namespace {

// Loads a configuration with `poll` as its [poll] table; the error message, or "" and `out`.
std::string load_poll(const std::string& poll, config* out = nullptr) {
  temp_dir d;
  write_file(d.file("secret"), "s3cret\n");
  write_file(d.file("portd.toml"),
             "[telegent]\naccount_key = \"DID-x\"\naccount_secret_file = \"secret\"\n[poll]\n" + poll);
  try {
    auto c = load_config(d.file("portd.toml"));
    if (out) *out = std::move(c);
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(util_poll_config)

// Issue 18: a user who sets only the documented cadences to 1 s must not wait 2 minutes for
// the first check after a submission (first_after_submit's default).
BOOST_AUTO_TEST_CASE(a_short_submitted_cadence_brings_the_first_check_forward) {
  config c;
  BOOST_TEST(load_poll("submitted = \"1s\"\ncarrier_approval = \"1s\"\nscheduled = \"1s\"\nrejected = \"1s\"\n", &c) == "");
  BOOST_TEST((c.poll.first_after_submit == 1s));
  BOOST_TEST(load_poll("first_after_submit = \"30s\"\n", &c) == "");
  BOOST_TEST((c.poll.first_after_submit == 30s));
}

BOOST_AUTO_TEST_CASE(spare_budget_keys_default_and_are_checked) {
  config c;
  BOOST_TEST(load_poll("", &c) == "");
  BOOST_TEST(c.poll.spare_share == 0.8);
  BOOST_TEST((c.poll.min_interval == 10s));
  BOOST_TEST(load_poll("spare_share = 0\nmin_interval = \"5s\"\n", &c) == "");
  BOOST_TEST(c.poll.spare_share == 0.0);
  BOOST_TEST((c.poll.min_interval == 5s));
  BOOST_TEST(load_poll("spare_share = 1.5\n").find("poll.spare_share") != std::string::npos);
  BOOST_TEST(load_poll("spare_share = -0.1\n").find("poll.spare_share") != std::string::npos);
  BOOST_TEST(load_poll("min_interval = \"10ms\"\n").find("poll.min_interval") != std::string::npos);
}

// Issue 18: Telegent's business days and the port date are local to [poll] time_zone; a zone
// the system's database does not know stops the start with the key, the value and what to do.
BOOST_AUTO_TEST_CASE(time_zone_defaults_to_utc_and_an_unknown_zone_is_refused) {
  config c;
  portd::porting::order o;
  o.details.port_in_date = "2026-12-10";
  BOOST_TEST(load_poll("", &c) == "");
  BOOST_TEST(c.poll.time_zone == "UTC");
  BOOST_TEST((portd::porting::port_date_start(o, c.poll) == portd::porting::parse_time("2026-12-10T00:00:00.000Z")));
  BOOST_TEST(load_poll("time_zone = \"America/New_York\"\n", &c) == "");
  BOOST_TEST(c.poll.time_zone == "America/New_York");
  BOOST_TEST((portd::porting::port_date_start(o, c.poll) == portd::porting::parse_time("2026-12-10T05:00:00.000Z")));
  const std::string typo = load_poll("time_zone = \"America/New_Yrok\"\n");
  BOOST_TEST(typo.find("poll.time_zone") != std::string::npos, typo);
  BOOST_TEST(typo.find("\"America/New_Yrok\"") != std::string::npos, typo);
  BOOST_TEST(typo.find("timedatectl list-timezones") != std::string::npos, typo);
  BOOST_TEST(load_poll("time_zone = 5\n").find("poll.time_zone") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
