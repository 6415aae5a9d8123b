// No dead ends (issue 15): the real portd, portctl and telegent-sim. Every order an operator
// meets can be moved or ended: a rejected port-out ends and frees its number, a cancel Telegent
// refuses settles on what Telegent reports, resolve adopts only an OrderId Telegent confirms,
// close ends an order here from any state, and an ambiguous submission is not resent blindly
// once it is old.
#include <common/stack.hpp>
#include <common/webhook_receiver.hpp>

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <set>

namespace json = boost::json;
using namespace std::chrono_literals;
using portd::test::stack;
using portd::test::stack_options;
using portd::test::webhook_receiver;

namespace {

json::object port_in(const std::string& number) { return portd::test::port_in_params(number, "Jane Doe"); }

std::int64_t submit_in(stack& s, const std::string& number) {
  return s.submit_port_in(port_in(number));
}

std::int64_t submit_out(stack& s, const std::string& number) {
  auto r = s.result("portout.submit", {{"number", number}, {"pin", "5678"}});
  BOOST_TEST(r["created"].as_bool());
  return r["order"].as_object()["id"].as_int64();
}

json::object order_of(stack& s, std::int64_t id) { return s.result("order.get", {{"id", id}})["order"].as_object(); }

std::string remote_id(stack& s, std::int64_t id) {
  const json::object o = order_of(s, id);
  const auto& v = o.at("remote_order_id");
  return v.is_string() ? std::string(v.as_string()) : std::string();
}

std::vector<json::object> history(stack& s, std::int64_t id) {
  std::vector<json::object> out;
  const json::object h = s.result("order.history", {{"id", id}});
  for (auto& e : h.at("events").as_array()) out.push_back(e.as_object());
  return out;
}

// The messages of the order's events of `type`, joined (for "contains" checks).
std::string messages(stack& s, std::int64_t id, const std::string& type) {
  std::string all;
  for (auto& e : history(s, id))
    if (e["type"] == type.c_str()) all += std::string(e["message"].as_string()) + "\n";
  return all;
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// The simulator's OrderId for `number` (the sim's ground truth, as Telegent's portal would show).
std::string sim_order_for(stack& s, const std::string& number) {
  auto [status, body] = portd::test::http_request(s.sim_url(), "GET", "/_sim/orders");
  BOOST_TEST_REQUIRE(status == 200);
  const json::value list = json::parse(body);
  for (auto& o : list.at("orders").as_array())
    if (o.at("number") == number.c_str()) return std::string(o.at("OrderId").as_string());
  BOOST_TEST_REQUIRE(false, "the simulator holds no order for " << number);
  return {};
}

void force_status(stack& s, const std::string& remote, const std::string& status) {
  s.sim_post("/_sim/orders/" + remote + "/status", R"({"status":")" + status + R"(","message":"forced by the test"})");
}

int error_code(const json::object& reply) { return static_cast<int>(reply.at("error").at("code").as_int64()); }
std::string error_message(const json::object& reply) {
  return std::string(reply.at("error").at("message").as_string());
}

// Polls that never come on their own: the test decides when Telegent's side changes.
stack_options quiet_polls() {
  stack_options o;
  o.poll = "1h";
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dead_ends)

BOOST_AUTO_TEST_CASE(a_rejected_port_out_ends_and_the_number_takes_a_new_port_out) {
  stack s;
  s.start_portd();
  const std::string number = "+17746996226";  // 6: Port Out Rejected ("6B: transfer PIN mismatch")
  const auto first = submit_out(s, number);
  auto o = s.wait_for_state(first, "port_out_rejected");
  BOOST_TEST(!o["needs_attention"].as_bool(), "the order has ended: nothing left to do on it");
  BOOST_TEST(contains(messages(s, first, "order.needs_attention"), "6B: transfer PIN mismatch"),
             "the operator is told the carrier's reason");
  // attention lists nothing for it, and suggests nothing that cannot work.
  auto [rc, out] = s.portctl({"attention"});
  BOOST_TEST(rc == 0);
  BOOST_TEST(!contains(out, "order " + std::to_string(first) + " "), out);
  // The gaining carrier starts over with a fresh PIN: a new port-out for the number goes in.
  const auto second = submit_out(s, number);
  BOOST_TEST(second != first);
  s.wait_for_state(second, "port_out_rejected");
}

BOOST_AUTO_TEST_CASE(a_cancel_refused_because_the_order_completed_settles_on_completed) {
  stack s(quiet_polls());
  s.start_portd();
  const auto id = submit_in(s, "+18015550218");
  s.wait_for_state(id, "submitted");
  force_status(s, remote_id(s, id), "Completed");  // completes at Telegent before portd looks
  auto r = s.result("order.cancel", {{"id", id}, {"reason", "customer changed their mind"}});
  BOOST_TEST(r["order"].as_object()["state"] == "cancelling");
  auto o = s.wait_for_state(id, "completed");
  BOOST_TEST(!o["needs_attention"].as_bool());
  BOOST_TEST(contains(messages(s, id, "order.needs_attention"), "Telegent refused the cancel"));
}

BOOST_AUTO_TEST_CASE(a_cancel_refused_because_the_port_out_was_rejected_ends_it_and_frees_the_number) {
  stack s(quiet_polls());
  s.start_portd();
  const std::string number = "+17746996221";
  const auto id = submit_out(s, number);
  s.wait_for_state(id, "submitted");
  force_status(s, remote_id(s, id), "Port Out Rejected");
  s.result("order.cancel", {{"id", id}});
  auto o = s.wait_for_state(id, "port_out_rejected");
  BOOST_TEST(!o["needs_attention"].as_bool());
  // Before: the order sat in cancelling for ever and blocked every new port-out for the number.
  const auto again = submit_out(s, number);
  BOOST_TEST(again != id);
}

BOOST_AUTO_TEST_CASE(a_cancel_of_an_order_telegent_does_not_know_needs_a_human_who_can_close_it) {
  stack s(quiet_polls());
  s.start_portd();
  const auto id = submit_in(s, "+18015550228");
  s.wait_for_state(id, "submitted");
  s.sim_post("/_sim/reset", "{}");  // Telegent forgets every order: GENS-0041 from now on
  s.result("order.cancel", {{"id", id}});
  auto o = s.wait_for_state(id, "failed");
  BOOST_TEST(o["needs_attention"].as_bool());
  const std::string reason(o["attention_reason"].as_string());
  BOOST_TEST(contains(reason, "does not know order"), reason);
  BOOST_TEST(contains(reason, "GENS-0041"), reason);
  BOOST_TEST(o["last_error"].as_object()["reason"] == "not_found");
  auto [rc, out] = s.portctl({"attention"});
  BOOST_TEST(contains(out, "ask Telegent support, then portctl close " + std::to_string(id)), out);
  BOOST_TEST(!contains(out, "portctl update"), out);
  auto closed = s.result("order.close", {{"id", id}, {"reason", "Telegent support: the order is gone"}});
  BOOST_TEST(closed["order"].as_object()["state"] == "closed");
}

BOOST_AUTO_TEST_CASE(resolve_adopts_only_an_order_id_telegent_confirms_for_this_number_and_kind) {
  stack s;
  s.start_portd();
  // A port-out whose answer was lost: Telegent holds the order, portd never heard its id.
  s.sim_post("/_sim/faults", R"({"endpoints":{"portout":{"reset_after":1}},"limit":1})");
  const std::string out_number = "+17746996223";
  const auto lost_out = submit_out(s, out_number);
  s.wait_for_state(lost_out, "submit_unknown");
  // A port-in likewise: the resend meets Telegent's duplicate guard.
  s.sim_post("/_sim/faults", R"({"endpoints":{"portin":{"reset_after":1}},"limit":1})");
  const std::string in_number = "+18015550239";
  const auto lost_in = submit_in(s, in_number);
  s.wait_for_state(lost_in, "submit_unknown");
  s.sim_post("/_sim/faults", "{}");
  const std::string out_remote = sim_order_for(s, out_number), in_remote = sim_order_for(s, in_number);

  // A typo: Telegent knows no such order.
  auto typo = s.call("order.resolve", {{"id", lost_out}, {"remote_order_id", "JNUOID-bad"}});
  BOOST_TEST_REQUIRE(typo.contains("error"));
  BOOST_TEST(error_code(typo) == -32602);
  BOOST_TEST(contains(error_message(typo), "not_found"), error_message(typo));
  BOOST_TEST(order_of(s, lost_out)["state"] == "submit_unknown");
  // Another number's order (a port-in at that): refused with what Telegent said.
  auto other = s.call("order.resolve", {{"id", lost_out}, {"remote_order_id", in_remote}});
  BOOST_TEST_REQUIRE(other.contains("error"));
  BOOST_TEST(contains(error_message(other), in_number), error_message(other));
  BOOST_TEST(order_of(s, lost_out)["state"] == "submit_unknown");
  // The right ones.
  auto [rc, text] = s.portctl({"resolve", std::to_string(lost_out), "--remote-order-id", out_remote});
  BOOST_TEST(rc == 0, text);
  BOOST_TEST(order_of(s, lost_out)["remote_order_id"] == out_remote.c_str());
  BOOST_TEST(contains(messages(s, lost_out, "order.state_changed"), "Telegent reports"));
  s.result("order.resolve", {{"id", lost_in}, {"remote_order_id", in_remote}});
  // An OrderId another order holds is refused.
  s.sim_post("/_sim/faults", R"({"endpoints":{"portout":{"reset_after":1}},"limit":1})");
  const auto third = submit_out(s, "+17746996224");
  s.wait_for_state(third, "submit_unknown");
  auto taken = s.call("order.resolve", {{"id", third}, {"remote_order_id", out_remote}});
  BOOST_TEST_REQUIRE(taken.contains("error"));
  BOOST_TEST(contains(error_message(taken), "already belongs to order " + std::to_string(lost_out)),
             error_message(taken));
  s.wait_for_state(lost_out, "completed");
  s.wait_for_state(lost_in, "completed");
}

BOOST_AUTO_TEST_CASE(close_ends_orders_in_any_state_with_history_and_webhook_events) {
  webhook_receiver hooks("whsec_cG9ydGQtdGVzdC13ZWJob29rLXNlY3JldC0w");  // base64("portd-test-webhook-secret-0")
  stack_options opts = quiet_polls();
  opts.portd_config_extra = "\n[[webhook]]\nurl = \"" + hooks.url() +
                            "\"\nsecret_file = \"webhook-secret\"\nretry_base = \"100ms\"\nretry_cap = \"400ms\"\n";
  stack s(opts);
  portd::test::write_file(s.dir().file("webhook-secret"), "whsec_cG9ydGQtdGVzdC13ZWJob29rLXNlY3JldC0w\n", 0600);
  s.start_portd();

  std::map<std::int64_t, std::string> closed_from;
  auto close = [&](std::int64_t id, const std::string& state) {
    BOOST_TEST_REQUIRE(order_of(s, id)["state"] == state.c_str());
    auto r = s.result("order.close", {{"id", id}, {"reason", "test closes " + state}});
    BOOST_TEST(r["order"].as_object()["state"] == "closed");
    closed_from[id] = state;
  };

  // checking_eligibility, its (read-only) call hanging: close does not wait for a read.
  s.sim_post("/_sim/faults", R"({"endpoints":{"eligibility":{"hang":1}}})");
  close(submit_in(s, "+18015550240"), "checking_eligibility");
  // submitting, its submission hanging: refused until the answer is in.
  s.sim_post("/_sim/faults", R"({"endpoints":{"portin":{"hang":1}}})");
  const auto hanging = s.result("portin.submit", [] {
    auto p = port_in("+18015550241");
    p["skip_eligibility"] = true;
    return p;
  }())["order"].as_object()["id"].as_int64();
  auto busy = s.call("order.close", {{"id", hanging}, {"reason", "too soon"}});
  BOOST_TEST_REQUIRE(busy.contains("error"));
  BOOST_TEST(error_code(busy) == -32004);
  BOOST_TEST(contains(error_message(busy), "try again in a moment"), error_message(busy));
  s.sim_post("/_sim/faults", "{}");
  // submitted, with a Telegent order: portctl names what it does not do, and asks.
  const auto known = submit_in(s, "+18015550242");
  s.wait_for_state(known, "submitted");
  auto [no_rc, no_out] = s.portctl({"close", std::to_string(known), "--reason", "duplicate of another order"}, "n\n");
  BOOST_TEST(no_rc == 1);
  const std::string asked = portd::test::read_file(s.dir().file("portctl.stderr"));
  BOOST_TEST(contains(asked, "has Telegent order " + remote_id(s, known) + "; closing does not cancel it at Telegent"),
             asked);
  BOOST_TEST(order_of(s, known)["state"] == "submitted", "declined: nothing changed");
  closed_from[known] = "submitted";
  auto [yes_rc, yes_out] = s.portctl({"close", std::to_string(known), "--reason", "duplicate of another order", "--yes"});
  BOOST_TEST(yes_rc == 0, yes_out);
  // submit_unknown (a lost port-out answer), and failed (Telegent forgot the order).
  s.sim_post("/_sim/faults", R"({"endpoints":{"portout":{"reset_after":1}},"limit":1})");
  const auto unknown = submit_out(s, "+17746996225");
  s.wait_for_state(unknown, "submit_unknown");
  close(unknown, "submit_unknown");
  const auto forgotten = submit_out(s, "+17746996227");
  s.wait_for_state(forgotten, "submitted");
  s.sim_post("/_sim/reset", "{}");
  s.result("order.cancel", {{"id", forgotten}});
  s.wait_for_state(forgotten, "failed");
  close(forgotten, "failed");

  for (auto [id, from] : closed_from) {
    BOOST_TEST_CONTEXT("order " << id << " closed from " << from) {
      auto h = history(s, id);
      auto last = h.back();
      BOOST_TEST(last["type"] == "order.state_changed");
      BOOST_TEST(last["from_state"] == from.c_str());
      BOOST_TEST(last["to_state"] == "closed");
      BOOST_TEST(contains(std::string(last["actor"].as_string()), "operator"));
      BOOST_TEST(contains(std::string(last["message"].as_string()), from == "submitted" ? "duplicate of another order" : "test closes " + from));
    }
  }
  // Every close reaches the webhook as order.state_changed to closed.
  const bool all = hooks.wait_for(
      [&](const std::vector<portd::test::received_webhook>& got) {
        std::set<std::int64_t> seen;
        for (const auto& d : got) {
          const auto* ev = d.payload.if_contains("event");
          if (ev && ev->as_object().at("to_state") == "closed" && ev->as_object().at("type") == "order.state_changed")
            seen.insert(ev->as_object().at("order_id").as_int64());
        }
        return seen.size() == closed_from.size();
      },
      30s);
  BOOST_TEST(all, "a webhook for every closed order");
}

BOOST_AUTO_TEST_CASE(an_ambiguous_port_in_older_than_the_resend_window_is_not_resent) {
  // The stack retries after 100 ms, then 200 ms (±20%): the first resend falls inside a 200 ms
  // window, the second after it. Every answer to the submission is lost on the way back.
  stack_options opts;
  opts.portd_config_extra = "\n[orders]\nresend_window = \"200ms\"\n";
  stack s(opts);
  s.start_portd();
  s.sim_post("/_sim/faults", R"({"endpoints":{"portin":{"reset_after":1}}})");
  const std::string number = "+18015550250";
  const auto id = submit_in(s, number);
  auto o = s.wait_for_state(id, "submit_unknown");
  BOOST_TEST(contains(std::string(o["attention_reason"].as_string()), "resend window"),
             messages(s, id, "order.state_changed") + messages(s, id, "order.error"));
  BOOST_TEST(o["needs_attention"].as_bool());
  auto st = s.sim_stats();
  BOOST_TEST(st["orders_created_per_number"].as_object()[number].as_int64() == 1);
  // Resent at most inside the window: no third attempt.
  const auto& portin = st["requests"].as_object()["portin"].as_object();
  BOOST_TEST(portin.size() == 1u, json::serialize(portin));
  BOOST_TEST(portin.at("reset_after").as_int64() <= 2, json::serialize(portin));
}

BOOST_AUTO_TEST_SUITE_END()
