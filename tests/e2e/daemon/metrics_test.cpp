// Metrics: daemon.metrics on the socket, and the optional Prometheus endpoint on loopback.
#include <common/stack.hpp>

#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using portd::test::stack;
using portd::test::stack_options;

BOOST_AUTO_TEST_SUITE(daemon_metrics)

BOOST_AUTO_TEST_CASE(prometheus_text_on_the_socket_and_on_loopback_http) {
  stack_options opt;
  opt.portd_config_extra = "[metrics]\nlisten = \"127.0.0.1:0\"\n";
  stack s(opt);
  s.start_portd();
  auto r = s.result("portout.submit", {{"number", "+17746996220"}, {"pin", "5678"}});
  s.wait_for_state(r["order"].as_object()["id"].as_int64(), "completed");
  const std::string text(s.result("daemon.metrics")["text"].as_string());
  BOOST_TEST(text.find("portd_orders{state=\"completed\"} 1") != std::string::npos, text);
  BOOST_TEST(text.find("portd_outbox_pending") != std::string::npos);
  BOOST_TEST(text.find("portd_dispatch_lateness_seconds_count") != std::string::npos);
  // The HTTP endpoint: the port it bound is in the log.
  const std::string log = s.portd_log();
  const auto at = log.find("(port ");
  BOOST_TEST_REQUIRE(at != std::string::npos, log);
  const std::string url = "http://127.0.0.1:" + std::to_string(std::stoi(log.substr(at + 6)));
  auto [status, body] = portd::test::http_request(url, "GET", "/metrics");
  BOOST_TEST(status == 200);
  BOOST_TEST(body.find("portd_orders{state=\"completed\"} 1") != std::string::npos, body);
  BOOST_TEST(portd::test::http_request(url, "GET", "/").first == 404);
  BOOST_TEST(portd::test::http_request(url, "POST", "/metrics").first == 405);
}

BOOST_AUTO_TEST_CASE(a_metrics_address_off_loopback_is_refused_at_start) {
  portd::test::temp_dir d;
  portd::test::write_file(d.file("secret"), "x\n", 0600);
  portd::test::write_file(d.file("portd.toml"),
                          "[telegent]\naccount_key = \"DID-x\"\naccount_secret_file = \"secret\"\n"
                          "[metrics]\nlisten = \"0.0.0.0:9464\"\n");
  portd::test::process p({portd::test::binary("PORTD_BIN"), "--config", d.file("portd.toml"), "--check-config"}, {},
                         d.file("err"));
  BOOST_TEST(p.wait(std::chrono::seconds(30)).value_or(-1) == 78);
  const std::string err = portd::test::read_file(d.file("err"));
  BOOST_TEST(err.find("metrics.listen") != std::string::npos, err);
  BOOST_TEST(err.find("metrics.allow_remote = true") != std::string::npos, err);  // the way out, named
  // A start refuses it the same way.
  portd::test::process start({portd::test::binary("PORTD_BIN"), "--config", d.file("portd.toml")}, {}, d.file("err2"));
  BOOST_TEST(start.wait(std::chrono::seconds(30)).value_or(-1) == 78);
}

// With the explicit opt-in the endpoint binds every address (here 0.0.0.0) and is scraped.
BOOST_AUTO_TEST_CASE(a_remote_metrics_address_is_served_with_allow_remote) {
  stack_options opt;
  opt.portd_config_extra = "[metrics]\nlisten = \"0.0.0.0:0\"\nallow_remote = true\n";
  stack s(opt);
  s.start_portd();
  const std::string log = s.portd_log();
  const auto at = log.find("(port ");
  BOOST_TEST_REQUIRE(at != std::string::npos, log);
  const std::string url = "http://127.0.0.1:" + std::to_string(std::stoi(log.substr(at + 6)));
  auto [status, body] = portd::test::http_request(url, "GET", "/metrics");
  BOOST_TEST(status == 200);
  BOOST_TEST(body.find("portd_orders_needs_attention 0") != std::string::npos, body);
}

BOOST_AUTO_TEST_SUITE_END()
