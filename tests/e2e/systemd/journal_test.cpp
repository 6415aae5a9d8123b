// Logging under systemd: with $JOURNAL_STREAM naming its stderr, portd writes journal entries
// with fields (ORDER_ID, STATE, REMOTE_ORDER_ID, PRIORITY, SYSLOG_IDENTIFIER) instead of text.
// The real daemon sends to a journald stand-in mounted at /run/systemd/journal in a private
// mount namespace (needs root and unshare; skipped otherwise).
#include <common/stack.hpp>
#include <common/systemd_harness.hpp>

#include <portd/runtime/log.hpp>

#include <boost/test/unit_test.hpp>

#include <signal.h>

namespace json = boost::json;
namespace utf = boost::unit_test;
using namespace portd::test;

namespace {

struct journal_available {
  boost::test_tools::assertion_result operator()(utf::test_unit_id) const {
    boost::test_tools::assertion_result r{static_cast<bool>(fake_journal::available())};
    if (!r) r.message() << "needs root and unshare(1) with mount namespaces";
    return r;
  }
};

bool has(const journal_entry& e, const std::string& k, const std::string& v) {
  auto it = e.find(k);
  return it != e.end() && it->second == v;
}

// portd started with its stderr on the fake journal, beside the stack's telegent-sim and with
// the stack's config (and control socket), inside the journal's namespace; READY=1 awaited.
struct journaled_portd {
  stack s;  // for telegent-sim, the temp dir and the control-socket helpers
  fake_journal journal{s.dir()};
  const std::string log = s.dir().file("portd.log");
  notify_socket notify{s.dir().file("notify-j.sock")};
  std::map<std::string, std::string> env{{"NOTIFY_SOCKET", notify.path()}};
  process portd = start();

  journaled_portd() { BOOST_TEST_REQUIRE(notify.wait_for("READY=1", portd).has_value(), read_file(log)); }
  process start() {
    auto argv = journal.wrap({binary("PORTD_BIN"), "--config", s.dir().file("portd.toml")}, log, env);
    return process(argv, env, log);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(systemd_journal)

BOOST_AUTO_TEST_CASE(fields_of_an_order_line_and_of_a_plain_line) {
  using portd::runtime::journal_fields;
  auto plain = journal_fields(spdlog::level::warn, "disk is getting full");
  const std::vector<std::string> expected{"MESSAGE=disk is getting full", "PRIORITY=4", "SYSLOG_IDENTIFIER=portd"};
  BOOST_TEST(plain == expected, boost::test_tools::per_element());
  {
    portd::runtime::order_log_scope outer({42, "submitted", "JNUOID-1"});
    auto f = journal_fields(spdlog::level::info, "order 42 [submitted] x");
    BOOST_TEST(f.size() == 6u);
    BOOST_TEST(f[3] == "ORDER_ID=42");
    BOOST_TEST(f[4] == "STATE=submitted");
    BOOST_TEST(f[5] == "REMOTE_ORDER_ID=JNUOID-1");
    {
      portd::runtime::order_log_scope inner({7, "", ""});  // unknown state and remote id: left out
      auto g = journal_fields(spdlog::level::err, "y");
      const std::vector<std::string> want{"MESSAGE=y", "PRIORITY=3", "SYSLOG_IDENTIFIER=portd", "ORDER_ID=7"};
      BOOST_TEST(g == want, boost::test_tools::per_element());
    }
    BOOST_TEST(journal_fields(spdlog::level::info, "z")[3] == "ORDER_ID=42");
  }
  BOOST_TEST(journal_fields(spdlog::level::debug, "after").size() == 3u);  // scope ended
}

BOOST_AUTO_TEST_CASE(native_protocol_parser_reads_binary_values) {
  std::string d = "MESSAGE\n";
  const std::string v = "two\nlines";
  for (int i = 0; i < 8; ++i) d += static_cast<char>(i == 0 ? v.size() : 0);
  d += v + "\nPRIORITY=6\n";
  auto e = parse_journal_datagram(d);
  BOOST_TEST(e["MESSAGE"] == v);
  BOOST_TEST(e["PRIORITY"] == "6");
}

BOOST_FIXTURE_TEST_CASE(a_completed_order_is_in_the_journal_with_its_fields_and_no_secret, journaled_portd,
                        *utf::precondition(journal_available())) {

  const std::string pin = "JournalPin8642";
  json::object p = portd::test::port_in_params("+18015550182");
  p["account_pin"] = pin;
  const auto id = s.submit_port_in(p);
  auto o = s.wait_for_state(id, "completed");
  const std::string remote(o["remote_order_id"].as_string());
  const std::string sid = std::to_string(id);

  auto done = journal.wait_for([&](const journal_entry& e) { return has(e, "ORDER_ID", sid) && has(e, "STATE", "completed"); });
  BOOST_TEST_REQUIRE(done.has_value(), "no journal entry for the completed order");
  BOOST_TEST(has(*done, "REMOTE_ORDER_ID", remote));
  BOOST_TEST(has(*done, "PRIORITY", "6"));
  BOOST_TEST(has(*done, "SYSLOG_IDENTIFIER", "portd"));
  BOOST_TEST(done->at("MESSAGE").rfind("order " + sid + " [completed]", 0) == 0, done->at("MESSAGE"));

  portd.signal(SIGTERM);
  BOOST_TEST(portd.wait(std::chrono::seconds(30)).value_or(-1) == 0);
  // Every entry is structured; none carries a secret; the text stream stayed empty.
  std::size_t order_lines = 0;
  for (const auto& e : journal.entries()) {
    BOOST_TEST(e.contains("MESSAGE"));
    BOOST_TEST(has(e, "SYSLOG_IDENTIFIER", "portd"));
    BOOST_TEST(e.contains("PRIORITY"));
    if (e.contains("ORDER_ID")) ++order_lines;
    for (const auto& [k, v] : e) {
      BOOST_TEST(v.find(pin) == std::string::npos, k);
      BOOST_TEST(v.find("sim-secret") == std::string::npos, k);
    }
  }
  BOOST_TEST(order_lines >= 5u);  // checking eligibility … completed
  BOOST_TEST(read_file(log).empty(), read_file(log));
}


// The README's recipes: `journalctl -u portd STATE=failed -p warning` finds an order portd gave
// up on, and `-p warning` alone an order that needs a human, while routine progress stays at
// info. (Before, every order event was logged at info: an operator alerting on warnings never
// heard of either.)
BOOST_FIXTURE_TEST_CASE(the_readme_recipes_find_failed_orders_and_orders_that_need_a_human_at_warning, journaled_portd,
                        *utf::precondition(journal_available())) {

  auto port_in = [&](const std::string& number, bool skip_eligibility) {
    json::object p = portd::test::port_in_params(number);
    p["skip_eligibility"] = skip_eligibility;
    return s.submit_port_in(p);
  };
  // Ends 4: ineligible; submitted anyway, Telegent refuses it (422) and the order fails.
  const auto failed = port_in("+18015550184", true);
  // Ends 6: rejected by the carrier, needs an operator.
  const auto rejected = port_in("+18015550186", false);
  // Ends 0: completes, routine all the way.
  const auto done = port_in("+18015550180", false);
  s.wait_for_state(failed, "failed");
  s.wait_for_state(rejected, "rejected");
  s.wait_for_state(done, "completed");

  auto priority = [](const journal_entry& e) { return std::stoi(e.at("PRIORITY")); };
  auto about = [](std::int64_t id) {
    return [sid = std::to_string(id)](const journal_entry& e) { return has(e, "ORDER_ID", sid); };
  };
  // journalctl STATE=failed -p warning
  auto f = journal.wait_for([&](const journal_entry& e) { return has(e, "STATE", "failed") && priority(e) <= 4; });
  BOOST_TEST_REQUIRE(f.has_value(), "journalctl STATE=failed -p warning finds nothing");
  BOOST_TEST(has(*f, "ORDER_ID", std::to_string(failed)));
  BOOST_TEST(priority(*f) == 3);  // an order given up on is an error
  // journalctl -p warning: the rejected order, with its reason
  auto r = journal.wait_for([&](const journal_entry& e) { return about(rejected)(e) && priority(e) <= 4; });
  BOOST_TEST_REQUIRE(r.has_value(), "journalctl -p warning does not show the order that needs a human");
  BOOST_TEST(has(*r, "STATE", "rejected"));
  BOOST_TEST(r->at("MESSAGE").find("1P-Other") != std::string::npos, r->at("MESSAGE"));
  // Routine progress stays at info.
  BOOST_TEST(journal.wait_for([&](const journal_entry& e) { return about(done)(e) && has(e, "STATE", "completed"); })
                 .has_value());
  for (const auto& e : journal.entries())
    if (about(done)(e)) BOOST_TEST(priority(e) == 6, e.at("MESSAGE"));

  portd.signal(SIGTERM);
  BOOST_TEST(portd.wait(std::chrono::seconds(30)).value_or(-1) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
