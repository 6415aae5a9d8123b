// The command sink end to end: portd runs a program of ours with each delivery on stdin; the
// program fails for a while (exit 3), then hangs past the timeout (killed), then works; every
// event ends up delivered, in order per order.
#include <common/stack.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

namespace json = boost::json;
using namespace std::chrono_literals;
using portd::test::stack;
using portd::test::stack_options;

namespace {

// Appends "<webhook id> <body>" per delivery; fails while ./fail exists, hangs while ./hang does.
const char* hook_script =
    "#!/bin/sh\n"
    "dir=$(dirname \"$0\")\n"
    "body=$(cat)\n"
    "if [ -e \"$dir/fail\" ]; then echo \"$PORTD_WEBHOOK_ID\" >> \"$dir/failed.txt\"; exit 3; fi\n"
    "if [ -e \"$dir/hang\" ]; then echo \"$PORTD_WEBHOOK_ID\" >> \"$dir/hung.txt\"; exec sleep 60; fi\n"
    "printf '%s %s\\n' \"$PORTD_WEBHOOK_ID\" \"$body\" >> \"$dir/out.txt\"\n";

std::size_t lines(const std::string& path) {
  if (!std::filesystem::exists(path)) return 0;
  auto text = portd::test::read_file(path);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(notify_command)

BOOST_AUTO_TEST_CASE(command_sink_gets_every_event_after_failures_and_a_timeout) {
  stack_options o;
  o.portd_config_extra =
      "\n[[command]]\nprogram = \"hook.sh\"\ntimeout = \"1s\"\nretry_base = \"100ms\"\nretry_cap = \"300ms\"\n";
  stack s(o);
  portd::test::write_file(s.dir().file("hook.sh"), hook_script, 0700);
  portd::test::write_file(s.dir().file("fail"), "");
  s.start_portd();
  for (int i = 0; i < 4; ++i)
    s.result("portin.submit", {{"number", "+1801555000" + std::to_string(i)},
                               {"carrier", "Verizon"},
                               {"account_number", "123456782222"},
                               {"account_pin", "4321"},
                               {"billing_address", {{"street1", "1 Main St"}, {"city", "Lehi"}, {"state", "UT"}, {"zip", "84043"}}}});
  s.wait_until([&] { return lines(s.dir().file("failed.txt")) >= 8; }, 30s, "failed runs");
  std::filesystem::rename(s.dir().file("fail"), s.dir().file("hang"));
  s.wait_until([&] { return lines(s.dir().file("hung.txt")) >= 2; }, 30s, "hanging runs");
  s.wait_until([&] {
    auto st = s.result("daemon.status")["outbox"].as_object()["sinks"].as_array().at(0).as_object();
    return st["last_error"].is_string() && st["last_error"].as_string() == "timed out (killed)";
  }, 30s, "a run to be killed after its timeout");
  std::filesystem::remove(s.dir().file("hang"));
  s.wait_until([&] { return s.result("daemon.status")["orders"].as_object()["active"].as_int64() == 0; }, 120s,
             "every order to finish");
  auto events = s.result("events.list", {{"after", 0}, {"limit", 1000}})["events"].as_array();
  s.wait_until([&] { return s.result("daemon.status")["outbox"].as_object()["pending"].as_int64() == 0; }, 60s,
             "the outbox to drain");
  // Each event once (no crash here), in seq order per order, with the payload of a webhook.
  std::istringstream out(portd::test::read_file(s.dir().file("out.txt")));
  std::map<std::int64_t, std::int64_t> last_seq;
  std::set<std::string> ids;
  std::string line;
  while (std::getline(out, line)) {
    const auto sp = line.find(' ');
    ids.insert(line.substr(0, sp));
    auto envelope = json::parse(line.substr(sp + 1)).as_object();  // the Standard Webhooks body
    auto& body = envelope["data"].as_object();
    auto& ev = body["event"].as_object();
    BOOST_TEST(envelope["type"] == ev["type"]);
    BOOST_TEST(envelope["timestamp"] == ev["at"]);
    BOOST_TEST(line.substr(0, sp) == "evt_" + std::to_string(ev["id"].as_int64()));
    const auto order = ev["order_id"].as_int64();
    BOOST_TEST(ev["seq"].as_int64() == last_seq[order] + 1);
    last_seq[order] = ev["seq"].as_int64();
  }
  BOOST_TEST(ids.size() == events.size());
  auto [st, text] = s.portctl({"status"});
  BOOST_TEST(text.find("command:0") != std::string::npos, text);
}

BOOST_AUTO_TEST_SUITE_END()
