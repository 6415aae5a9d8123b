// portd end to end: the real daemon, portctl and telegent-sim on loopback. Each test is a
// story an operator would tell: an order goes in, and ends where it should, with its history.
#include <common/stack.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>

#include <signal.h>

namespace json = boost::json;
using portd::test::stack;
using portd::test::stack_options;

namespace {

json::object port_in(const std::string& number, json::object extra = {}) {
  json::object p{{"number", number},
                 {"carrier", "Verizon"},
                 {"account_number", "123456782222"},
                 {"account_pin", "4321"},
                 {"billing_address", {{"street1", "1 Main St"}, {"city", "Lehi"}, {"state", "UT"}, {"zip", "84043"}}},
                 {"subscriber_name", "Jane Doe"}};
  for (auto& [k, v] : extra) p[k] = v;
  return p;
}

std::int64_t submit(stack& s, const std::string& number, json::object extra = {}) {
  auto r = s.result("portin.submit", port_in(number, std::move(extra)));
  BOOST_TEST(r["created"].as_bool());
  return r["order"].as_object()["id"].as_int64();
}

std::vector<std::string> states_in_history(stack& s, std::int64_t id) {
  std::vector<std::string> out;
  auto h = s.result("order.history", {{"id", id}});
  std::int64_t seq = 0;
  for (auto& e : h["events"].as_array()) {
    auto& ev = e.as_object();
    BOOST_TEST(ev["seq"].as_int64() == ++seq);  // gap-free per order
    if (ev["type"] == "order.state_changed") out.emplace_back(ev["to_state"].as_string());
  }
  return out;
}

std::int64_t orders_created_at_sim(stack& s, const std::string& number) {
  auto st = s.sim_stats();
  auto* per = st["orders_created_per_number"].as_object().if_contains(number);
  return per ? per->as_int64() : 0;
}

// Requests the simulator received at `endpoint` that ended as `outcome` ("200", "hang", …).
std::int64_t sim_requests(stack& s, const std::string& endpoint, const std::string& outcome) {
  auto st = s.sim_stats();
  auto* e = st["requests"].as_object().if_contains(endpoint);
  if (!e) return 0;
  auto* n = e->as_object().if_contains(outcome);
  return n ? n->as_int64() : 0;
}

// Asks the simulator until `endpoint` saw `outcome` (the peer's own progress, not time passing).
void wait_for_sim_request(stack& s, const std::string& endpoint, const std::string& outcome) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (sim_requests(s, endpoint, outcome) == 0) {
    BOOST_TEST_REQUIRE((std::chrono::steady_clock::now() < deadline), "the simulator never saw " << endpoint << " " << outcome);
    s.result("daemon.status");  // a round trip to the daemon between asks
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(daemon_lifecycle)

BOOST_AUTO_TEST_CASE(port_in_reaches_completed_with_its_whole_history) {
  stack s;
  s.start_portd();
  const auto id = submit(s, "+18015550100");
  auto o = s.wait_for_state(id, "completed");
  BOOST_TEST(o["remote_status"] == "Completed");
  BOOST_TEST(!o["remote_order_id"].as_string().empty());
  BOOST_TEST(o["details"].as_object()["account_number"] == "****2222");
  const auto states = states_in_history(s, id);
  const std::vector<std::string> expected{"checking_eligibility", "submitting", "submitted", "carrier_approval",
                                          "scheduled", "completed"};
  BOOST_TEST(states == expected, boost::test_tools::per_element());
  BOOST_TEST(orders_created_at_sim(s, "+18015550100") == 1);
}

BOOST_AUTO_TEST_CASE(ineligible_number_stops_before_submission) {
  stack s;
  s.start_portd();
  const auto id = submit(s, "+18015550104");
  auto o = s.wait_for_state(id, "ineligible");
  BOOST_TEST(o["remote_order_id"].is_null());
  BOOST_TEST(orders_created_at_sim(s, "+18015550104") == 0);
}

BOOST_AUTO_TEST_CASE(rejected_order_is_fixed_with_portctl_update_and_completes) {
  stack s;
  s.start_portd();
  const auto id = submit(s, "+18015550105");
  auto o = s.wait_for_state(id, "rejected");
  BOOST_TEST(o["needs_attention"].as_bool());
  auto [rc, out] = s.portctl({"update", std::to_string(id), "--account-number", "998877665544"});
  BOOST_TEST_REQUIRE(rc == 0, "portctl update failed: " << out << portd::test::read_file(s.dir().file("portctl.stderr")));
  o = s.wait_for_state(id, "completed");
  BOOST_TEST(o["details"].as_object()["account_number"] == "****5544");
  BOOST_TEST(orders_created_at_sim(s, "+18015550105") == 1);
}

BOOST_AUTO_TEST_CASE(cancel_before_submission_never_reaches_telegent) {
  stack s;
  s.start_portd();
  // Eligibility hangs, so the order sits in checking_eligibility with its call out.
  s.sim_post("/_sim/faults", R"({"endpoints":{"eligibility":{"hang":1.0}}})");
  const auto id = submit(s, "+18015550110");
  auto r = s.result("order.cancel", {{"id", id}, {"reason", "customer changed their mind"}});
  BOOST_TEST(r["order"].as_object()["state"] == "cancelled");
  BOOST_TEST(orders_created_at_sim(s, "+18015550110") == 0);
}

BOOST_AUTO_TEST_CASE(cancel_after_submission_cancels_at_telegent) {
  stack s;
  s.start_portd();
  const auto id = submit(s, "+18015550118");  // 8: stuck in carrier approval
  s.wait_for_state(id, "carrier_approval");
  auto r = s.result("order.cancel", {{"id", id}});
  BOOST_TEST(r["order"].as_object()["state"] == "cancelling");
  auto o = s.wait_for_state(id, "cancelled");
  BOOST_TEST(o["remote_status"] == "Cancelled");
  // Cancel is final.
  auto again = s.call("order.cancel", {{"id", id}});
  BOOST_TEST(again["error"].as_object()["code"].as_int64() == -32004);
}

BOOST_AUTO_TEST_CASE(port_out_reaches_completed) {
  stack s;
  s.start_portd();
  auto r = s.result("portout.submit", {{"number", "+17746996223"}, {"pin", "5678"}});
  const auto id = r["order"].as_object()["id"].as_int64();
  auto o = s.wait_for_state(id, "completed");
  BOOST_TEST(o["kind"] == "port_out");
  BOOST_TEST(o["remote_status"] == "Port Out Complete");
}

BOOST_AUTO_TEST_CASE(second_port_in_for_the_same_number_is_a_conflict) {
  stack s;
  s.start_portd();
  const auto id = submit(s, "+18015550128");
  auto r = s.call("portin.submit", port_in("+18015550128"));
  auto& err = r["error"].as_object();
  BOOST_TEST(err["code"].as_int64() == -32002);
  BOOST_TEST(err["data"].as_object()["order_id"].as_int64() == id);
}

BOOST_AUTO_TEST_CASE(client_ref_makes_a_resubmission_idempotent) {
  stack s;
  s.start_portd();
  auto a = s.result("portin.submit", port_in("+18015550130", {{"client_ref", "crm-1"}}));
  auto b = s.result("portin.submit", port_in("+18015550130", {{"client_ref", "crm-1"}}));
  BOOST_TEST(a["created"].as_bool());
  BOOST_TEST(!b["created"].as_bool());
  BOOST_TEST(a["order"].as_object()["id"] == b["order"].as_object()["id"]);
  auto c = s.call("portin.submit", port_in("+18015550131", {{"client_ref", "crm-1"}}));
  BOOST_TEST(c["error"].as_object()["code"].as_int64() == -32002);
}

BOOST_AUTO_TEST_CASE(kill_9_mid_lifecycle_then_restart_finishes_with_one_submission) {
  stack s;
  s.start_portd();
  const auto id = submit(s, "+18015550141");
  s.wait_for_state(id, "submitted");
  s.kill_portd(SIGKILL);
  s.start_portd();
  auto o = s.wait_for_state(id, "completed");
  const auto states = states_in_history(s, id);
  BOOST_TEST(states.front() == "checking_eligibility");
  BOOST_TEST(states.back() == "completed");
  BOOST_TEST(orders_created_at_sim(s, "+18015550141") == 1);
}

// A port-out's intent is committed before its request; with a budget of one request a minute
// the request waits (after the token request took the one token). Killed then, nothing
// reached Telegent: the restart sends it, and no operator is asked to sort out a
// submission that never left.
BOOST_AUTO_TEST_CASE(port_out_killed_while_waiting_for_the_budget_is_sent_after_restart) {
  stack_options opt;
  opt.requests_per_minute = 1;
  opt.burst = 1;
  stack s(opt);
  s.start_portd();
  auto r = s.result("portout.submit", {{"number", "+17746996281"}, {"pin", "2468"}});
  const auto id = r["order"].as_object()["id"].as_int64();
  wait_for_sim_request(s, "tokens", "200");  // the token took the budget; the submit waits
  BOOST_TEST(s.result("order.get", {{"id", id}})["order"].as_object()["state"] == "issuing_pin");
  s.kill_portd(SIGKILL);
  BOOST_TEST(sim_requests(s, "portout", "200") == 0);

  // The budget back to normal (a fresh bucket would hold one token for the token request).
  auto config = portd::test::read_file(s.config_path());
  const auto at = config.find("requests_per_minute = ");
  BOOST_TEST_REQUIRE(at != std::string::npos);
  config.replace(at, config.find('\n', at) - at, "requests_per_minute = 0");
  portd::test::write_file(s.config_path(), config);
  s.start_portd();
  s.wait_for_state(id, "completed");
  const auto states = states_in_history(s, id);
  BOOST_TEST((std::find(states.begin(), states.end(), "submit_unknown") == states.end()));
  BOOST_TEST(orders_created_at_sim(s, "+17746996281") == 1);
}

// The other side: once the request has reached Telegent, a restart cannot know whether it
// created the order, so the port-out goes to an operator (no duplicate guard protects a
// resend). The mark that the request left is on disk before the request is written.
BOOST_AUTO_TEST_CASE(port_out_killed_after_its_request_left_goes_to_an_operator) {
  stack s;
  s.start_portd();
  s.sim_post("/_sim/faults", R"({"endpoints":{"portout":{"hang":1}}})");
  auto r = s.result("portout.submit", {{"number", "+17746996282"}, {"pin", "2468"}});
  const auto id = r["order"].as_object()["id"].as_int64();
  wait_for_sim_request(s, "portout", "hang");
  s.kill_portd(SIGKILL);
  s.sim_post("/_sim/faults", "{}");
  s.start_portd();
  auto o = s.wait_for_state(id, "submit_unknown");
  BOOST_TEST(o["needs_attention"].as_bool());
  BOOST_TEST(sim_requests(s, "portout", "hang") == 1);
  BOOST_TEST(sim_requests(s, "portout", "200") == 0, "never resent");
}

BOOST_AUTO_TEST_CASE(sigterm_exits_zero_and_the_next_start_finishes_the_order) {
  stack s;
  s.start_portd();
  const auto id = submit(s, "+18015550151");
  BOOST_TEST(s.stop_portd() == 0);
  s.start_portd();
  s.wait_for_state(id, "completed");
  BOOST_TEST(orders_created_at_sim(s, "+18015550151") == 1);
}

BOOST_AUTO_TEST_CASE(bad_input_gets_json_rpc_errors_and_the_daemon_keeps_serving) {
  stack s;
  s.start_portd();
  portd::test::rpc_connection c(s.socket_path());
  auto error_of = [&](const std::string& line) {
    c.send_line(line);
    auto reply = c.read_line();
    BOOST_TEST_REQUIRE(reply.has_value());
    auto v = json::parse(*reply).as_object();
    return v["error"].as_object();
  };
  BOOST_TEST(error_of("{not json").at("code").as_int64() == -32700);
  BOOST_TEST(error_of(R"({"jsonrpc":"2.0","id":1,"method":"order.explode"})").at("code").as_int64() == -32601);
  auto e = error_of(R"({"jsonrpc":"2.0","id":2,"method":"portin.submit","params":{"number":"12"}})");
  BOOST_TEST(e.at("code").as_int64() == -32602);
  BOOST_TEST(e.at("data").as_object().contains("field"));
  auto bad_zip = port_in("+18015550160");
  bad_zip["billing_address"].as_object()["zip"] = "ABCDE";
  auto z = s.call("portin.submit", bad_zip)["error"].as_object();
  BOOST_TEST(z["data"].as_object()["field"] == "billing_address.zip");
  auto typo = port_in("+18015550160");
  typo["acount_pin"] = "1";
  BOOST_TEST(s.call("portin.submit", typo)["error"].as_object()["code"].as_int64() == -32602);
  // Same connection still works.
  c.send_line(R"({"jsonrpc":"2.0","id":9,"method":"daemon.status"})");
  auto ok = json::parse(*c.read_line()).as_object();
  BOOST_TEST(ok.contains("result"));
}

BOOST_AUTO_TEST_CASE(no_secret_reaches_logs_replies_or_history) {
  stack s;
  s.start_portd();
  const std::string pin = "CanaryPin7391";
  const auto id = submit(s, "+18015550172", {{"account_pin", pin}});
  auto out = s.result("portout.submit", {{"number", "+17746996271"}, {"pin", "CanaryOut5512"}});
  s.wait_for_state(id, "completed");
  s.wait_for_state(out["order"].as_object()["id"].as_int64(), "completed");
  std::string everything = json::serialize(s.result("order.get", {{"id", id}})) +
                           json::serialize(s.result("order.history", {{"id", id}})) +
                           json::serialize(s.result("events.list", {{"limit", 1000}})) + s.portd_log();
  BOOST_TEST(everything.find(pin) == std::string::npos);
  BOOST_TEST(everything.find("CanaryOut5512") == std::string::npos);
  BOOST_TEST(everything.find("sim-secret") == std::string::npos);
  // Terminal orders keep no secret in the database either.
  s.stop_portd();
  const auto db = portd::test::read_file(s.dir().file("portd.db")) + portd::test::read_file(s.dir().file("portd.db-wal"));
  BOOST_TEST(db.find(pin) == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
