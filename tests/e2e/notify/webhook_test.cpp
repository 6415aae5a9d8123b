// Webhooks end to end: the real portd and telegent-sim on loopback, and a receiver of ours that
// verifies every Standard Webhooks signature. What an MVNO relies on: every event arrives, in
// order per order, signed; a receiver that is down or failing gets everything afterwards; a
// kill -9 loses nothing; dead letters are visible and can be sent again; secrets never leak.
#include <common/stack.hpp>
#include <common/webhook_receiver.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <signal.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

namespace json = boost::json;
using namespace std::chrono_literals;
using portd::test::received_webhook;
using portd::test::stack;
using portd::test::stack_options;
using portd::test::webhook_receiver;

namespace {

// "whsec_" + base64("portd-test-webhook-secret-0001"): the Standard Webhooks form.
const std::string secret = "whsec_cG9ydGQtdGVzdC13ZWJob29rLXNlY3JldC0wMDAx";

std::string webhook_block(const std::string& url, const std::string& extra, const std::string& timeout) {
  return "\n[[webhook]]\nurl = \"" + url + "\"\nsecret_file = \"webhook-secret\"\ntimeout = \"" + timeout +
         "\"\nretry_base = \"100ms\"\nretry_cap = \"400ms\"\n" + extra;
}

stack_options options_for(const webhook_receiver& r, const std::string& extra = {},
                          const std::string& timeout = "2s") {
  stack_options o;
  o.portd_config_extra = webhook_block(r.url(), extra, timeout);
  return o;
}

void write_secret(stack& s, const std::string& text = secret) {
  portd::test::write_file(s.dir().file("webhook-secret"), text + "\n", 0600);
}

json::object port_in(const std::string& number, const std::string& pin = "4321") {
  auto p = portd::test::port_in_params(number, "Jane Doe");
  p["account_pin"] = pin;
  return p;
}

// `n` port-ins whose fates finish quickly (completes, or ineligible for a last digit 4).
std::vector<std::int64_t> submit_orders(stack& s, int n, int base = 0) {
  static const char digits[] = {'0', '1', '2', '3', '4', '9'};
  std::vector<std::int64_t> ids;
  for (int i = 0; i < n; ++i) {
    char num[32];
    std::snprintf(num, sizeof num, "+1801%05d%c", base + i, digits[i % 6]);
    ids.push_back(s.submit_port_in(port_in(num)));
  }
  return ids;
}

void wait_all_finished(stack& s) {
  s.wait_until([&] { return s.result("daemon.status")["orders"].as_object()["active"].as_int64() == 0; }, 120s,
             "every order to finish");
}

json::object outbox_status(stack& s) { return s.result("daemon.status")["outbox"].as_object(); }

// Every event has a 2xx delivery.
bool all_delivered(const std::vector<received_webhook>& got, const std::vector<json::object>& events) {
  std::set<std::string> ok;
  for (auto& d : got)
    if (d.answered / 100 == 2) ok.insert(d.id);
  for (auto& e : events)
    if (!ok.contains("evt_" + std::to_string(e.at("id").as_int64()))) return false;
  return true;
}

// Checks what the receiver holds against the daemon's events: every delivery signed and
// matching its event; per order, successful deliveries in seq order; every event delivered.
// Duplicates (same webhook-id) are allowed when `dups_ok`.
void check_deliveries(const std::vector<received_webhook>& got, const std::vector<json::object>& events,
                      bool dups_ok) {
  std::map<std::string, json::object> by_id;
  for (auto& e : events) by_id["evt_" + std::to_string(e.at("id").as_int64())] = e;
  std::map<std::int64_t, std::int64_t> last_seq;  // order -> seq of its last delivered event
  std::set<std::string> seen;
  int bad_sig = 0, dups = 0, mismatched = 0, out_of_order = 0;
  for (auto& d : got) {
    if (!d.signature_ok) ++bad_sig;
    auto it = by_id.find(d.id);
    if (it == by_id.end() || d.payload.if_contains("event") == nullptr || *d.payload.if_contains("event") != json::value(it->second)) {
      ++mismatched;
      continue;
    }
    if (d.answered / 100 != 2) continue;
    if (!seen.insert(d.id).second) {
      ++dups;
      continue;
    }
    const auto order = it->second.at("order_id").as_int64();
    const auto seq = it->second.at("seq").as_int64();
    // In order: an order's events arrive 1, 2, 3 … (a duplicate after a crash may repeat one
    // already seen, counted above, but never skips ahead).
    if (seq != last_seq[order] + 1) ++out_of_order;
    last_seq[order] = seq;
    BOOST_TEST(d.payload.at("order").as_object().at("id").as_int64() == order);
    // The Standard Webhooks shape: {type, timestamp (the event's, RFC 3339), data: {event, order}}.
    BOOST_TEST(d.envelope.size() == 3u);
    BOOST_TEST(d.envelope.at("type") == it->second.at("type"));
    BOOST_TEST(d.envelope.at("timestamp") == it->second.at("at"));
    BOOST_TEST(!d.timestamp.empty());
    BOOST_TEST(d.headers.at("content-type") == "application/json");
  }
  BOOST_TEST(bad_sig == 0);
  BOOST_TEST(mismatched == 0);
  BOOST_TEST(out_of_order == 0);
  if (!dups_ok) BOOST_TEST(dups == 0);
  BOOST_TEST(seen.size() == events.size());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(notify_webhooks)

BOOST_AUTO_TEST_CASE(every_event_of_300_orders_arrives_signed_and_in_order) {
  webhook_receiver recv(secret);
  stack s(options_for(recv));
  write_secret(s);
  s.start_portd();
  submit_orders(s, 300);
  wait_all_finished(s);
  const auto events = s.all_events();
  BOOST_TEST(events.size() >= 300u * 3);
  BOOST_TEST_REQUIRE(recv.wait_for([&](auto& got) { return all_delivered(got, events); }, 60s));
  check_deliveries(recv.deliveries(), events, false);
  BOOST_TEST_MESSAGE("300 orders: " << events.size() << " events, " << recv.count() << " deliveries");
  BOOST_TEST(recv.count() == events.size());  // no failure, so no second attempt
  s.wait_until([&] { return outbox_status(s)["pending"].as_int64() == 0; }, 30s, "the outbox to drain");
  BOOST_TEST(outbox_status(s)["dead"].as_int64() == 0);
  const auto sink = outbox_status(s)["sinks"].as_array().at(0).as_object();
  BOOST_TEST(sink.at("name") == "webhook:0");
  BOOST_TEST(sink.at("disabled") == false);
}

BOOST_AUTO_TEST_CASE(receiver_down_then_failing_gets_everything_afterwards) {
  webhook_receiver recv(secret);
  recv.go_down();
  stack s(options_for(recv));
  write_secret(s);
  s.start_portd();
  submit_orders(s, 30);
  wait_all_finished(s);
  s.wait_until([&] { return outbox_status(s)["sinks"].as_array().at(0).as_object().at("failed_attempts").as_int64() >= 30; },
             30s, "attempts against the receiver that is down");
  BOOST_TEST(recv.count() == 0u);
  // Back, but answering 500 for a while.
  recv.set_status(500);
  recv.come_up();
  BOOST_TEST_REQUIRE(recv.wait_for([](auto& got) { return got.size() >= 60; }, 30s));
  recv.set_status(200);
  const auto events = s.all_events();
  BOOST_TEST_REQUIRE(recv.wait_for([&](auto& got) { return all_delivered(got, events); }, 60s));
  check_deliveries(recv.deliveries(), events, false);
  // The failed attempts carried the same webhook-id as the one that succeeded.
  std::set<std::string> failed_ids;
  for (auto& d : recv.deliveries())
    if (d.answered == 500) failed_ids.insert(d.id);
  BOOST_TEST(!failed_ids.empty());
  s.wait_until([&] { return outbox_status(s)["pending"].as_int64() == 0; }, 30s, "the outbox to drain");
}

BOOST_AUTO_TEST_CASE(a_receiver_that_never_answers_times_out_and_is_retried) {
  webhook_receiver recv(secret);
  recv.set_hang(true);
  stack s(options_for(recv, {}, "300ms"));
  write_secret(s);
  s.start_portd();
  submit_orders(s, 3);
  auto sink = [&] { return outbox_status(s)["sinks"].as_array().at(0).as_object(); };
  s.wait_until([&] { return sink().at("failed_attempts").as_int64() >= 6; }, 30s, "attempts to time out");
  BOOST_TEST(sink().at("last_error").as_string().find("timed out") != std::string::npos,
             json::serialize(sink()));
  BOOST_TEST(recv.count() == 0u);  // a hanging request is not recorded as received
  recv.set_hang(false);
  wait_all_finished(s);
  const auto events = s.all_events();
  BOOST_TEST_REQUIRE(recv.wait_for([&](auto& got) { return all_delivered(got, events); }, 30s));
  check_deliveries(recv.deliveries(), events, false);
}

BOOST_AUTO_TEST_CASE(kill_9_with_a_backlog_loses_nothing) {
  webhook_receiver recv(secret);
  recv.set_hang(true);  // attempts are in flight when portd dies
  stack s(options_for(recv, "concurrency = 8\n"));
  write_secret(s);
  s.start_portd();
  submit_orders(s, 40);
  wait_all_finished(s);
  const auto events = s.all_events();
  BOOST_TEST(outbox_status(s)["pending"].as_int64() == static_cast<std::int64_t>(events.size()));
  s.kill_portd(SIGKILL);
  recv.set_hang(false);
  s.start_portd();
  BOOST_TEST_REQUIRE(recv.wait_for([&](auto& got) { return all_delivered(got, events); }, 60s));
  check_deliveries(recv.deliveries(), events, true);
  s.wait_until([&] { return outbox_status(s)["pending"].as_int64() == 0; }, 30s, "the outbox to drain");
}

BOOST_AUTO_TEST_CASE(dead_letters_are_listed_and_redelivered) {
  webhook_receiver recv(secret);
  recv.set_status(500);
  stack s(options_for(recv, "max_age = \"1s\"\n"));
  write_secret(s);
  s.start_portd();
  submit_orders(s, 5);
  wait_all_finished(s);
  const auto events = s.all_events();
  s.wait_until([&] { return outbox_status(s)["dead"].as_int64() == static_cast<std::int64_t>(events.size()); }, 60s,
             "every delivery to become a dead letter");
  BOOST_TEST(outbox_status(s)["pending"].as_int64() == 0);

  auto [st, out] = s.portctl({"events", "--failed"});
  BOOST_TEST(st == 0);
  BOOST_TEST(out.find("webhook:0") != std::string::npos);
  BOOST_TEST(out.find("HTTP 500") != std::string::npos, out);
  auto [jst, jout] = s.portctl({"--json", "events", "--failed"});
  auto listed = json::parse(jout).as_object();
  BOOST_TEST(listed["deliveries"].as_array().size() == std::min<std::size_t>(events.size(), 100));
  const auto first = listed["deliveries"].as_array().at(0).as_object();
  BOOST_TEST(first.at("state") == "dead");
  BOOST_TEST(first.at("event").as_object().at("id") == first.at("event_id"));

  recv.set_status(200);
  // One dead letter by its id, then all the others.
  auto [r1, o1] = s.portctl({"redeliver", std::to_string(first.at("id").as_int64())});
  BOOST_TEST(r1 == 0);
  BOOST_TEST(o1.find("queued 1 ") != std::string::npos, o1);
  auto [r2, o2] = s.portctl({"redeliver", "--all"});
  BOOST_TEST(r2 == 0);
  BOOST_TEST_REQUIRE(recv.wait_for([&](auto& got) { return all_delivered(got, events); }, 30s));
  check_deliveries(recv.deliveries(), events, false);
  s.wait_until([&] {
    auto o = outbox_status(s);
    return o["pending"].as_int64() == 0 && o["dead"].as_int64() == 0;
  }, 30s, "the dead letters to be delivered");

  // An event already delivered, sent again on request.
  const auto ev = events.front().at("id").as_int64();
  const auto before = recv.count();
  auto [r3, o3] = s.portctl({"redeliver", "--event", std::to_string(ev), "--sink", "webhook:0"});
  BOOST_TEST(r3 == 0, o3);
  BOOST_TEST(recv.wait_for([&](auto& got) { return got.size() > before; }, 30s));
  BOOST_TEST(recv.deliveries().back().id == "evt_" + std::to_string(ev));
  auto bad = s.call("outbox.redeliver", {{"event_id", ev}, {"sink", "webhook:9"}});
  BOOST_TEST(bad["error"].as_object()["data"].as_object()["reason"] == "invalid_params");
}

BOOST_AUTO_TEST_CASE(gone_disables_the_sink_until_redelivery) {
  webhook_receiver recv(secret);
  recv.set_status(410);
  stack s(options_for(recv));
  write_secret(s);
  s.start_portd();
  submit_orders(s, 2);
  s.wait_until([&] { return outbox_status(s)["sinks"].as_array().at(0).as_object().at("disabled").as_bool(); }, 30s,
             "the sink to be disabled by 410");
  wait_all_finished(s);
  const auto attempts = recv.count();
  BOOST_TEST(attempts >= 1u);
  auto [pst, ptext] = s.portctl({"status"});
  BOOST_TEST(ptext.find("DISABLED") != std::string::npos, ptext);
  BOOST_TEST(s.portd_log().find("410") != std::string::npos);
  recv.set_status(200);
  auto [r, o] = s.portctl({"redeliver", "--all", "--sink", "webhook:0"});
  BOOST_TEST(r == 0, o);
  const auto events = s.all_events();
  BOOST_TEST_REQUIRE(recv.wait_for([&](auto& got) { return all_delivered(got, events); }, 30s));
  BOOST_TEST(outbox_status(s)["sinks"].as_array().at(0).as_object().at("disabled") == false);
}

BOOST_AUTO_TEST_CASE(secrets_never_leave_portd) {
  // Canaries: a carrier PIN, a port-out PIN and the webhook secret (as configured, and as the
  // key it decodes to) must appear in no delivery, no event and no log line.
  const std::string pin = "PINcanary7391", po_pin = "POPINcanary5820";
  const std::string key = "WHKEYcanary-4471-portd-0001";
  const std::string wh = "whsec_V0hLRVljYW5hcnktNDQ3MS1wb3J0ZC0wMDAx";  // base64(key)
  webhook_receiver recv(wh);
  stack s(options_for(recv));
  write_secret(s, wh);
  s.start_portd();
  s.result("portin.submit", port_in("+18015551230", pin));
  s.result("portin.submit", port_in("+18015551235", pin));  // rejected once: an update re-sends
  s.result("portout.submit", {{"number", "+18015551231"}, {"pin", po_pin}});
  s.result("portout.submit", {{"number", "+18015551236"}, {"pin", po_pin}});  // PIN mismatch
  s.wait_until([&] {
    auto st = s.result("daemon.status")["orders"].as_object();
    return st["active"].as_int64() == st["needs_attention"].as_int64();
  }, 60s, "orders to finish or stop for a human");
  const auto events = s.all_events();
  BOOST_TEST_REQUIRE(recv.wait_for([&](auto& got) { return all_delivered(got, events); }, 30s));
  std::string everything;
  for (auto& d : recv.deliveries()) {
    everything += d.body;
    for (auto& [k, v] : d.headers) everything += k + ": " + v + "\n";
    BOOST_TEST(d.signature_ok);
  }
  for (auto& e : events) everything += json::serialize(e);
  everything += s.portd_log();
  everything += json::serialize(s.result("daemon.status"));
  for (const auto& canary : {pin, po_pin, key, wh, std::string("V0hLRVljYW5hcnktNDQ3MS1wb3J0ZC0wMDAx")})
    BOOST_TEST(everything.find(canary) == std::string::npos, "leaked: " << canary);
}

BOOST_AUTO_TEST_CASE(a_sink_set_to_portd_v1_gets_the_earlier_body) {
  // A receiver written against {event, order} keeps working with one line of configuration.
  webhook_receiver recv(secret);
  stack s(options_for(recv, "body = \"portd-v1\"\n"));
  write_secret(s);
  s.start_portd();
  submit_orders(s, 2);
  wait_all_finished(s);
  const auto events = s.all_events();
  BOOST_TEST_REQUIRE(recv.wait_for([&](auto& got) { return all_delivered(got, events); }, 30s));
  for (const auto& d : recv.deliveries()) {
    BOOST_TEST(d.signature_ok);
    BOOST_TEST(d.envelope.size() == 2u);
    BOOST_TEST(d.envelope.contains("event"));
    BOOST_TEST(d.envelope.contains("order"));
  }
  BOOST_TEST(s.portd_log().find("body portd-v1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_secret_verifiers_would_refuse_stops_the_check_and_the_start_with_78) {
  // A secret without "whsec_" used to sign as it is, and every Standard Webhooks library then
  // refused the deliveries. Now the check says so, naming the key and the file, and a start
  // refuses it the same way (78: systemd does not restart a configuration error).
  webhook_receiver recv(secret);
  stack s(options_for(recv));
  const std::string raw = "raw-secret-Canary-5512-long-enough";
  write_secret(s, secret + "\n" + raw);  // a rotation whose old line is the raw one
  for (bool check : {true, false}) {
    std::vector<std::string> argv{portd::test::binary("PORTD_BIN"), "--config", s.config_path()};
    if (check) argv.emplace_back("--check-config");
    const auto err = s.dir().file(check ? "check.err" : "start.err");
    portd::test::process p(argv, {}, err);
    BOOST_TEST(p.wait(30s).value_or(-1) == 78, (check ? "--check-config" : "start"));
    const auto text = portd::test::read_file(err);
    BOOST_TEST(text.find("webhook[0].secret_file") != std::string::npos, text);
    BOOST_TEST(text.find(s.dir().file("webhook-secret") + " line 2") != std::string::npos, text);
    BOOST_TEST(text.find("whsec_") != std::string::npos, text);  // what a secret must look like
    BOOST_TEST(text.find("Canary-5512") == std::string::npos, text);
  }
  BOOST_TEST(recv.count() == 0u);
}

BOOST_AUTO_TEST_CASE(readme_receiver_verifies_a_real_delivery) {
  // The Python receiver in README "Notifications" must accept one of portd's deliveries and
  // refuse it once the body is changed.
  const char* root = std::getenv("PORTD_SOURCE_DIR");
  BOOST_REQUIRE(root);
  const std::string src = std::string(root) + "/README.md";
  std::ifstream in(src);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string readme = ss.str();
  const auto section = readme.find("## Notifications");
  BOOST_REQUIRE(section != std::string::npos);
  const auto start = readme.find("```python\n", section);
  BOOST_REQUIRE(start != std::string::npos);
  const auto end = readme.find("```", start + 10);
  const std::string code = readme.substr(start + 10, end - start - 10);

  webhook_receiver recv(secret);
  stack s(options_for(recv));
  write_secret(s);
  s.start_portd();
  submit_orders(s, 1);
  BOOST_TEST_REQUIRE(recv.wait_for([](auto& got) { return !got.empty(); }, 30s));
  const auto d = recv.deliveries().front();
  for (bool tamper : {false, true}) {
    portd::test::temp_dir dir;
    std::string body = d.body;
    if (tamper) body.back() = ' ';
    portd::test::write_file(dir.file("body"), body);
    json::object headers;
    for (auto& [k, v] : d.headers) headers[k] = v;
    portd::test::write_file(dir.file("headers.json"), json::serialize(headers));
    portd::test::write_file(dir.file("check.py"),
                            code + "\nimport json, sys\n"
                                   "headers = json.load(open(sys.argv[1]))\n"
                                   "body = open(sys.argv[2], 'rb').read()\n"
                                   "print('verified' if verify(sys.argv[3], headers, body) else 'refused')\n");
    portd::test::process p({"/usr/bin/env", "python3", dir.file("check.py"), dir.file("headers.json"),
                            dir.file("body"), secret});
    auto line = p.read_line(30s);
    BOOST_TEST(line.value_or("no output") == (tamper ? "refused" : "verified"));
  }
}

BOOST_AUTO_TEST_SUITE_END()
