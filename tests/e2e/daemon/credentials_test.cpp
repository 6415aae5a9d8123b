// Wrong Telegent credentials found at the start, not by the first order (issue 15): portd asks
// for one token when it starts; a refusal is logged as an error and shown in daemon.status and
// `portctl status`, and portd keeps running. `portd --check-config --online` asks on demand.
#include <common/stack.hpp>

#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using portd::test::process;
using portd::test::read_file;
using portd::test::stack;
using portd::test::write_file;

namespace {

// daemon.status's api.credentials once the start-up probe has ended (paced by a watch that
// sees no event: nothing is committed while no order exists).
json::object credentials_after_probe(stack& s) {
  portd::test::event_pacer pace(s);
  for (int i = 0; i < 300; ++i) {
    auto c = s.result("daemon.status")["api"].as_object()["credentials"].as_object();
    if (c["state"] != "unchecked") return c;
    pace.wait(std::chrono::milliseconds(100));
  }
  BOOST_FAIL("the start-up probe did not end");
  return {};
}

// portd --check-config [--online] on the stack's configuration: {exit status, stdout + stderr}.
std::pair<int, std::string> check_config(stack& s, bool online) {
  std::vector<std::string> argv{portd::test::binary("PORTD_BIN"), "--check-config", "--config", s.config_path()};
  if (online) argv.push_back("--online");
  const std::string err = s.dir().file("check.stderr");
  write_file(err, "", 0600);
  process p(argv, {}, err);
  std::string out;
  while (auto l = p.read_line(std::chrono::seconds(60))) out += *l + "\n";
  return {p.wait(std::chrono::seconds(60)).value_or(-1), out + read_file(err)};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(credentials)

BOOST_AUTO_TEST_CASE(credentials_telegent_refuses_are_reported_at_start_and_portd_keeps_running) {
  stack s;
  write_file(s.dir().file("telegent-secret"), "not-the-secret\n", 0600);
  s.start_portd();

  auto c = credentials_after_probe(s);
  BOOST_TEST(c["state"] == "failing");
  BOOST_TEST(c["problem"] == "credentials refused (401)");
  BOOST_TEST(json::value_to<std::string>(c["detail"]).find("Invalid account credentials") != std::string::npos,
             json::serialize(c));
  const auto [code, status] = s.portctl({"status"});
  BOOST_TEST(code == 0);
  BOOST_TEST(status.find("telegent: credentials refused (401) at ") != std::string::npos, status);
  const std::string log = s.portd_log();
  BOOST_TEST(log.find("error telegent: credentials refused (401)") != std::string::npos, log);
  BOOST_TEST(log.find("not-the-secret") == std::string::npos);

  // Still running and taking orders: they wait for the API as for any outage.
  json::object p{{"number", "+18015550190"}, {"carrier", "Verizon"}, {"account_number", "123456782222"},
                 {"account_pin", "4321"},
                 {"billing_address", {{"street1", "1 Main St"}, {"city", "Lehi"}, {"state", "UT"}, {"zip", "84043"}}}};
  BOOST_TEST(s.result("portin.submit", p)["created"].as_bool());

  const auto [rc, said] = check_config(s, true);
  BOOST_TEST(rc == 77, said);
  BOOST_TEST(said.find("credentials refused (401)") != std::string::npos, said);
  BOOST_TEST(said.find("not-the-secret") == std::string::npos);
  const auto [offline_rc, offline] = check_config(s, false);
  BOOST_TEST(offline_rc == 0, offline);  // the file itself is fine
}

BOOST_AUTO_TEST_CASE(good_credentials_pass_the_probe_and_an_unreachable_api_is_named) {
  stack s;
  s.start_portd();
  auto c = credentials_after_probe(s);
  BOOST_TEST(c["state"] == "ok", json::serialize(c));
  BOOST_TEST(c["problem"].is_null());
  const auto [rc, said] = check_config(s, true);
  BOOST_TEST(rc == 0, said);
  BOOST_TEST(said.find("credentials ok") != std::string::npos, said);

  // Nothing listens at the API's address: exit 69, naming it unreachable.
  std::string cfg = read_file(s.config_path());
  const auto at = cfg.find(s.sim_url());
  BOOST_TEST_REQUIRE(at != std::string::npos);
  cfg.replace(at, s.sim_url().size(), "http://127.0.0.1:9");
  write_file(s.config_path(), cfg, 0600);
  const auto [down_rc, down] = check_config(s, true);
  BOOST_TEST(down_rc == 69, down);
  BOOST_TEST(down.find("unreachable") != std::string::npos, down);
}

BOOST_AUTO_TEST_CASE(check_config_refuses_a_store_directory_that_cannot_exist) {
  portd::test::stack_options opt;
  opt.store_path = "/nonexistent-portd-test/db/portd.db";
  stack s(opt);
  const auto [rc, said] = check_config(s, false);
  BOOST_TEST(rc == 78, said);
  BOOST_TEST(said.find("store directory /nonexistent-portd-test/db does not exist") != std::string::npos, said);
}

BOOST_AUTO_TEST_SUITE_END()
