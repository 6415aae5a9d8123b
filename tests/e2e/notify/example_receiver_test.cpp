// The example receiver shipped in tools/examples/webhook-receiver.py (the Standard Webhooks
// verification, step by step, with the secret taken as the standardwebhooks libraries take it)
// against the real portd and telegent-sim: every event portd delivers verifies, also through
// a rotation, and a delivery signed with a secret the receiver does not hold is refused.
#include <common/stack.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <map>
#include <set>
#include <string>

namespace json = boost::json;
using namespace std::chrono_literals;
using portd::test::process;
using portd::test::stack;
using portd::test::stack_options;

namespace {

// Standard Webhooks secrets: "whsec_" + base64 of 32 random bytes.
const std::string receiver_secret = "whsec_q2i3k8Ck3OyqjSSq4PAZPXHMtQkY5oWuWyXP4tGhGmY=";
const std::string newer_secret = "whsec_0Bxq6xj4XxV5F0Pz2m7r3yqF3R0vq6f0mG8C3dJm1yA=";
const std::string stranger_secret = "whsec_9Yx1cTgU0b5rQ2x8Zl3mV7wE4nK6pH1sD0fA2jL5qRc=";

// The receiver, started on a free port; its first line says where it listens.
struct example_receiver {
  portd::test::temp_dir dir;
  std::unique_ptr<process> proc;
  std::string url;
  example_receiver() {
    const char* root = std::getenv("PORTD_SOURCE_DIR");
    BOOST_REQUIRE(root);
    portd::test::write_file(dir.file("secret"), receiver_secret + "\n", 0600);
    proc = std::make_unique<process>(
        std::vector<std::string>{"/usr/bin/env", "python3", std::string(root) + "/tools/examples/webhook-receiver.py",
                                 "--listen", "127.0.0.1:0", "--secret-file", dir.file("secret")},
        std::map<std::string, std::string>{}, dir.file("stderr"));
    const auto first = proc->read_line(30s).value_or("");
    const std::string prefix = "listening on ";
    BOOST_REQUIRE_MESSAGE(first.starts_with(prefix), "receiver said: " << first << portd::test::read_file(dir.file("stderr")));
    url = first.substr(prefix.size()) + "hooks";
  }
};

std::string sink(const std::string& name, const std::string& url, const std::string& secret_file,
                 const std::string& retry_base = "100ms", const std::string& extra = {}) {
  return "\n[[webhook]]\nname = \"" + name + "\"\nurl = \"" + url + "\"\nsecret_file = \"" + secret_file +
         "\"\nbody = \"standard\"\ntimeout = \"2s\"\nretry_base = \"" + retry_base + "\"\nretry_cap = \"1h\"\n" + extra;
}

json::object port_in(const std::string& number) { return portd::test::port_in_params(number, "Jane Doe"); }

}  // namespace

BOOST_AUTO_TEST_SUITE(notify_example_receiver)

BOOST_AUTO_TEST_CASE(every_delivery_verifies_with_the_spec_algorithm_and_a_stranger_is_refused) {
  example_receiver r;
  stack_options o;
  // "crm": the receiver's secret. "rotating": a newer secret first, the receiver's second, as
  // in the middle of a rotation. "stranger": a secret the receiver does not hold, for the
  // first event of each order only.
  o.portd_config_extra = sink("crm", r.url, "crm-secret") + sink("rotating", r.url, "rotating-secret") +
                         sink("stranger", r.url, "stranger-secret", "1h", "events = [\"order.created\"]\n");
  stack s(o);
  portd::test::write_file(s.dir().file("crm-secret"), receiver_secret + "\n", 0600);
  portd::test::write_file(s.dir().file("rotating-secret"), newer_secret + "\n" + receiver_secret + "\n", 0600);
  portd::test::write_file(s.dir().file("stranger-secret"), stranger_secret + "\n", 0600);
  s.start_portd();
  for (const char* number : {"+18015550100", "+18015550111", "+18015550124", "+18015550139"})
    s.result("portin.submit", port_in(number));

  // Every event twice verified (crm and rotating), each order.created once refused (stranger).
  std::map<std::string, int> verified;
  std::map<std::string, std::string> types;  // webhook-id -> the body's type
  std::set<std::string> refused;
  int refused_lines = 0;
  auto done = [&] {
    const auto events = s.all_events();
    std::size_t created = 0;
    for (const auto& e : events) {
      const auto id = "evt_" + std::to_string(e.at("id").as_int64());
      if (verified[id] < 2) return false;
      if (e.at("type") == "order.created") {
        ++created;
        if (!refused.contains(id)) return false;
      }
    }
    auto st = s.result("daemon.status")["orders"].as_object();
    return st["active"].as_int64() == 0 && created == 4 && refused.size() == created;
  };
  const auto deadline = std::chrono::steady_clock::now() + 90s;
  while (!done()) {
    BOOST_REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline,
                          "not every delivery arrived\n" << s.portd_log() << portd::test::read_file(r.dir.file("stderr")));
    const auto line = r.proc->read_line(500ms);
    if (!line) continue;
    const auto rec = json::parse(*line).as_object();
    const std::string id(rec.at("id").as_string());
    if (rec.at("verified").as_bool()) {
      ++verified[id];
      types[id] = std::string(rec.at("type").as_string());
      BOOST_TEST(rec.at("body").as_object().at("data").as_object().contains("order"));
    } else {
      ++refused_lines;
      refused.insert(id);
      BOOST_TEST(rec.at("why") == "no matching signature", *line);
    }
  }
  for (const auto& e : s.all_events()) {
    const auto id = "evt_" + std::to_string(e.at("id").as_int64());
    BOOST_TEST(types[id] == std::string(e.at("type").as_string()), id);
  }
  BOOST_TEST(refused_lines == 4);  // the stranger's next attempt is an hour away
  BOOST_TEST(portd::test::read_file(r.dir.file("stderr")).empty());
}

BOOST_AUTO_TEST_SUITE_END()
