// Metrics: daemon.metrics on the socket, and the optional Prometheus endpoint on loopback.
#include <common/process.hpp>
#include <common/stack.hpp>
#include <common/webhook_receiver.hpp>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

namespace json = boost::json;
using portd::test::stack;
using portd::test::stack_options;

namespace {

const std::string source_dir() {
  const char* root = std::getenv("PORTD_SOURCE_DIR");
  BOOST_REQUIRE(root);
  return root;
}

// promtool (Debian's prometheus package), or "" when it is not installed.
std::string promtool() {
  for (const char* p : {"/usr/bin/promtool", "/usr/local/bin/promtool"})
    if (std::filesystem::exists(p)) return p;
  return "";
}

// Runs `sh -c script` in `dir`; its exit status, and its output in *out.
int shell(const portd::test::temp_dir& dir, const std::string& script, std::string* out) {
  portd::test::process p({"/bin/sh", "-c", script + " >" + dir.file("sh.out") + " 2>&1"});
  const int rc = p.wait(std::chrono::seconds(60)).value_or(-1);
  *out = portd::test::read_file(dir.file("sh.out"));
  return rc;
}

// The metric families a scrape declares (# TYPE lines).
std::set<std::string> families(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("# TYPE ", 0) == 0) out.insert(line.substr(7, line.find(' ', 7) - 7));
  return out;
}

// Every portd_* and process_* name in a PromQL expression, with a histogram's _bucket, _sum
// or _count taken back to its family.
std::set<std::string> metric_names(const std::string& expr, const std::set<std::string>& known) {
  std::set<std::string> out;
  static const std::regex name(R"(\b(portd|process)_[a-z_]+\b)");
  for (std::sregex_iterator it(expr.begin(), expr.end(), name), end; it != end; ++it) {
    std::string n = it->str();
    for (const char* suffix : {"_bucket", "_sum", "_count"})
      if (n.ends_with(suffix) && known.contains(n.substr(0, n.size() - std::strlen(suffix))))
        n = n.substr(0, n.size() - std::strlen(suffix));
    out.insert(n);
  }
  return out;
}

// The scrape of a portd that completed a port-out and delivered its events to a webhook sink.
struct scraped {
  portd::test::webhook_receiver hook{"whsec_cG9ydGQtdGVzdC13ZWJob29rLXNlY3JldC0wMDAx"};
  std::unique_ptr<stack> s;
  std::string text;
  scraped() {
    stack_options opt;
    opt.portd_config_extra = "[metrics]\nlisten = \"127.0.0.1:0\"\n\n[[webhook]]\nname = \"crm \\\"eu\\\"\"\nurl = \"" +
                             hook.url() + "\"\nsecret_file = \"webhook-secret\"\n";
    s = std::make_unique<stack>(opt);
    portd::test::write_file(s->dir().file("webhook-secret"), "whsec_cG9ydGQtdGVzdC13ZWJob29rLXNlY3JldC0wMDAx\n", 0600);
    s->start_portd();
    auto r = s->result("portout.submit", {{"number", "+17746996220"}, {"pin", "5678"}});
    s->wait_for_state(r["order"].as_object()["id"].as_int64(), "completed");
    const std::string log = s->portd_log();
    const auto at = log.find("(port ");
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, log);
    const std::string url = "http://127.0.0.1:" + std::to_string(std::stoi(log.substr(at + 6)));
    // Until the sink has had the order's events (a condition, not a pause).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    do text = portd::test::http_request(url, "GET", "/metrics").second;
    while (text.find("portd_delivery_latency_seconds_count{sink=\"crm \\\"eu\\\"\"} 0") != std::string::npos &&
           std::chrono::steady_clock::now() < deadline);
  }
};

// The metrics endpoint's URL, from the port portd logged when it bound it.
std::string metrics_url(const stack& s) {
  const std::string log = s.portd_log();
  const auto at = log.find("(port ");
  BOOST_TEST_REQUIRE(at != std::string::npos, log);
  return "http://127.0.0.1:" + std::to_string(std::stoi(log.substr(at + 6)));
}

}  // namespace

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
  const std::string url = metrics_url(s);
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
  const std::string url = metrics_url(s);
  auto [status, body] = portd::test::http_request(url, "GET", "/metrics");
  BOOST_TEST(status == 200);
  BOOST_TEST(body.find("portd_orders_needs_attention 0") != std::string::npos, body);
}

// Issue 19: what an SRE needs beside the orders: the version, the process, the database,
// per-sink deliveries and per-endpoint Telegent latencies, transitions; promtool accepts it.
BOOST_AUTO_TEST_CASE(a_scrape_has_process_database_sink_endpoint_and_transition_metrics_and_passes_promtool) {
  scraped m;
  const auto& t = m.text;
  for (const char* want : {"portd_build_info{version=\"", "\nprocess_resident_memory_bytes ", "\nprocess_cpu_seconds_total ",
                           "\nprocess_open_fds ", "\nprocess_start_time_seconds ", "\nportd_database_size_bytes ",
                           "portd_transitions_total{from=\"received\",to=\"issuing_pin\"} 1\n",
                           "portd_transitions_total{from=\"submitted\",to=\"completed\"} 1\n",
                           "portd_api_request_duration_seconds_count{endpoint=\"/v1.0/numbers/portout\",status_class=\"2xx\"} 1\n",
                           "portd_api_request_duration_seconds_bucket{endpoint=\"/v1.0/oauth2/tokens\",status_class=\"2xx\",le=\"+Inf\"}",
                           "portd_deliveries_delivered_total{sink=\"crm \\\"eu\\\"\"} ",
                           "portd_deliveries_dead_total{sink=\"crm \\\"eu\\\"\"} 0\n",
                           "portd_delivery_latency_seconds_bucket{sink=\"crm \\\"eu\\\"\",le=\"+Inf\"} "})
    BOOST_TEST(t.find(want) != std::string::npos, "missing " << want << " in\n" << t);
  BOOST_TEST(t.find("portd_delivery_latency_seconds_count{sink=\"crm \\\"eu\\\"\"} 0\n") == std::string::npos,
             "nothing delivered");
  // The process figures are this portd's: its start time is within the test's run.
  const auto at = t.find("\nprocess_start_time_seconds ");
  BOOST_TEST_REQUIRE(at != std::string::npos);
  const double started = std::stod(t.substr(at + 28));
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  BOOST_TEST(started > now - 600);
  BOOST_TEST(started <= now + 1);

  const std::string tool = promtool();
  if (tool.empty()) {
    BOOST_TEST_MESSAGE("promtool not installed (Debian: prometheus): promtool check metrics skipped");
    return;
  }
  portd::test::temp_dir d;
  portd::test::write_file(d.file("scrape.txt"), t, 0600);
  std::string out;
  BOOST_TEST(shell(d, tool + " check metrics <" + d.file("scrape.txt"), &out) == 0, out);
}

// The shipped alert rules load and their unit tests pass; the dashboard and the rules name only
// metrics a real scrape declares.
BOOST_AUTO_TEST_CASE(the_shipped_rules_and_dashboard_use_only_metrics_portd_exports) {
  const std::string root = source_dir();
  const std::string rules = root + "/packaging/prometheus/portd.rules.yml";
  const std::string dashboard = root + "/packaging/grafana/portd.json";
  scraped m;
  const auto known = families(m.text);
  BOOST_TEST_REQUIRE(known.contains("portd_api_request_duration_seconds"));

  std::vector<std::string> exprs;
  const auto dash = json::parse(portd::test::read_file(dashboard));
  for (const auto& p : dash.at("panels").as_array())
    for (const auto& target : p.at("targets").as_array()) exprs.emplace_back(target.at("expr").as_string());
  BOOST_TEST(exprs.size() >= 10u);
  std::istringstream in(portd::test::read_file(rules));
  for (std::string line; std::getline(in, line);)
    if (const auto at = line.find("expr: "); at != std::string::npos) exprs.push_back(line.substr(at + 6));
  std::set<std::string> used;
  for (const auto& e : exprs)
    for (const auto& n : metric_names(e, known)) {
      used.insert(n);
      BOOST_TEST(known.contains(n), n << " (in " << e << ") is not a metric portd exports");
    }
  for (const char* n : {"portd_orders_needs_attention", "portd_transitions_total", "portd_outbox_dead",
                        "portd_api_paused_seconds", "portd_budget_waiting", "portd_build_info"})
    BOOST_TEST(used.contains(n), "nothing uses " << n);

  const std::string tool = promtool();
  if (tool.empty()) {
    BOOST_TEST_MESSAGE("promtool not installed (Debian: prometheus): promtool check/test rules skipped");
    return;
  }
  portd::test::temp_dir d;
  std::string out;
  BOOST_TEST(shell(d, tool + " check rules " + rules, &out) == 0, out);
  BOOST_TEST(shell(d, "cd " + root + "/packaging/prometheus && " + tool + " test rules portd.rules.test.yml", &out) == 0,
             out);
}

BOOST_AUTO_TEST_SUITE_END()
