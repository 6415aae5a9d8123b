// Rule 5 on disk while portd runs (issue 16, item 5): once every order has ended, no PIN is
// left in any file of the store's directory — the database, its WAL and its shared-memory
// index — without waiting for a stop. secure_delete covers the database's pages; the WAL's old
// frames are what this test is about. The history (order_events.raw) and the outbox never held
// a PIN at all, and the same search shows that too.
#include <common/stack.hpp>
#include <common/webhook_receiver.hpp>

#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>

namespace json = boost::json;
using portd::test::read_file;
using portd::test::stack;
using portd::test::stack_options;
using portd::test::webhook_receiver;

namespace {

json::object port_in(const std::string& number, const std::string& pin) {
  auto p = portd::test::port_in_params(number, "Jane Doe");
  p["account_pin"] = pin;
  return p;
}

std::int64_t id_of(const json::object& result) { return result.at("order").as_object().at("id").as_int64(); }

// "file: N" for every file under `dir` holding `needle`, N the number of places.
std::map<std::string, int> files_holding(const std::string& dir, const std::string& needle) {
  std::map<std::string, int> hits;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string bytes = read_file(entry.path().string());
    for (auto at = bytes.find(needle); at != std::string::npos; at = bytes.find(needle, at + 1))
      ++hits[entry.path().filename().string()];
  }
  return hits;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(reliability)

// Orders end every way an order can end — completed, ineligible, cancelled by the carrier and
// by an operator, a PIN corrected after a rejection, a port-out — with a webhook taking every
// event. While portd is still running, not one of their PINs is in the store's files.
BOOST_AUTO_TEST_CASE(no_pin_is_left_in_the_store_files_once_every_order_has_ended) {
  const std::string hook_secret = "whsec_c2VjcmV0cy10ZXN0LXdlYmhvb2stc2VjcmV0LTA=";  // base64("secrets-test-webhook-secret-0")
  webhook_receiver receiver(hook_secret);
  stack_options opt;
  opt.store_path = "store/portd.db";  // a directory of its own: everything in it is the store's
  opt.portd_config_extra = "\n[[webhook]]\nurl = \"" + receiver.url() +
                           "\"\nsecret_file = \"webhook-secret\"\nretry_base = \"100ms\"\nretry_cap = \"400ms\"\n";
  stack s(opt);
  const std::string store_dir = s.dir().file("store");
  BOOST_TEST_REQUIRE(::mkdir(store_dir.c_str(), 0700) == 0);
  portd::test::write_file(s.dir().file("webhook-secret"), hook_secret + "\n", 0600);
  s.start_portd();

  // Each PIN is a canary that nothing else in the files could contain by chance.
  std::map<std::string, std::int64_t> pins;  // PIN → its order
  auto submit_in = [&](const std::string& number, const std::string& pin) {
    auto id = id_of(s.result("portin.submit", port_in(number, pin)));
    pins[pin] = id;
    return id;
  };
  const auto completes = submit_in("+18015550180", "WalCanaryA1001");
  const auto completes_too = submit_in("+18015550181", "WalCanaryB1002");
  const auto ineligible = submit_in("+18015550184", "WalCanaryC1003");
  const auto carrier_cancels = submit_in("+18015550187", "WalCanaryD1004");
  const auto operator_cancels = submit_in("+18015550188", "WalCanaryE1005");  // stuck: an operator ends it
  const auto corrected = submit_in("+18015550185", "WalCanaryF1006");          // rejected once
  const auto out = id_of(s.result("portout.submit", {{"number", "+17746996281"}, {"pin", "WalCanaryG1007"}}));
  pins["WalCanaryG1007"] = out;

  s.wait_for_state(corrected, "rejected");
  s.result("order.update", {{"id", corrected}, {"account_pin", "WalCanaryH1008"}});
  pins["WalCanaryH1008"] = corrected;
  s.wait_for_state(operator_cancels, "carrier_approval");
  s.result("order.cancel", {{"id", operator_cancels}, {"reason", "the customer changed their mind"}});

  s.wait_for_state(completes, "completed");
  s.wait_for_state(completes_too, "completed");
  s.wait_for_state(ineligible, "ineligible");
  s.wait_for_state(carrier_cancels, "cancelled");
  s.wait_for_state(operator_cancels, "cancelled");
  s.wait_for_state(corrected, "completed");
  s.wait_for_state(out, "completed");
  BOOST_TEST_REQUIRE(s.result("daemon.status")["orders"].as_object()["active"].as_int64() == 0);

  // Every event reached the webhook, so the outbox rows have been written and updated too.
  const auto events = s.all_events().size();
  BOOST_TEST_REQUIRE(receiver.wait_for([&](const auto& got) { return got.size() >= events; }, std::chrono::seconds(30)));

  // portd is still running: what a thief copying the directory now would find.
  BOOST_TEST_REQUIRE(::kill(s.portd_pid(), 0) == 0);
  for (const auto& [pin, id] : pins) {
    const auto hits = files_holding(store_dir, pin);
    for (const auto& [file, n] : hits) BOOST_TEST_MESSAGE("order " << id << ": its PIN " << n << " times in " << file);
    BOOST_TEST(hits.empty(), "the PIN of order " << id << " is still in the store's files while portd runs");
  }
  // Neither did any PIN leave in a webhook or reach the log.
  std::string told = s.portd_log();
  for (const auto& d : receiver.deliveries()) told += d.body;
  for (const auto& [pin, id] : pins) BOOST_TEST(told.find(pin) == std::string::npos, "order " << id);
}

BOOST_AUTO_TEST_SUITE_END()
