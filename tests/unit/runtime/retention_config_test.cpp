// [retention] in the configuration: defaults, "0s" to keep for ever, bad values named.
#include "common/temp_dir.hpp"

#include <portd/runtime/config.hpp>

#include <boost/test/unit_test.hpp>

#include <filesystem>

using namespace portd::runtime;
using namespace std::chrono_literals;

namespace {

struct config_file {
  portd::test::temp_dir dir;
  explicit config_file(const std::string& extra) {
    portd::test::write_file(dir.file("secret"), "s3cret\n");
    portd::test::write_file(dir.file("portd.toml"),
                            "[telegent]\naccount_key = \"DID-x\"\naccount_secret_file = \"secret\"\n" + extra);
  }
  std::filesystem::path path() const { return dir / "portd.toml"; }
};

std::string error_of(const config_file& f) {
  try {
    load_config(f.path());
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(util_retention_config)

BOOST_AUTO_TEST_CASE(defaults_keep_30_days_of_deliveries_and_90_of_raw_bodies) {
  config_file f("");
  const auto c = load_config(f.path());
  BOOST_TEST((c.retention.delivered_outbox == 24h * 30));
  BOOST_TEST((c.retention.raw_bodies == 24h * 90));
  BOOST_TEST((c.retention.interval == 1h));
  BOOST_TEST(c.retention.batch == 500);
}

BOOST_AUTO_TEST_CASE(zero_keeps_for_ever_and_bad_values_are_named) {
  config_file off("[retention]\ndelivered_outbox = \"0s\"\nraw_bodies = \"0s\"\ninterval = \"10m\"\nbatch = 50\n");
  const auto c = load_config(off.path());
  BOOST_TEST(c.retention.delivered_outbox.count() == 0);
  BOOST_TEST(c.retention.raw_bodies.count() == 0);
  BOOST_TEST((c.retention.interval == 10min));
  BOOST_TEST(c.retention.batch == 50);
  BOOST_TEST(error_of(config_file("[retention]\nbatch = 0\n")).find("retention.batch") != std::string::npos);
  BOOST_TEST(error_of(config_file("[retention]\ninterval = \"10ms\"\n")).find("retention.interval") != std::string::npos);
  BOOST_TEST(error_of(config_file("[retention]\nraw_bodies = 90\n")).find("retention.raw_bodies") != std::string::npos);
  BOOST_TEST(error_of(config_file("[retention]\nevents = \"1d\"\n")).find("retention.events") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
