// The legality check the crash and fault runs apply to every order's history: its transitions
// come from exploring decide(), and a history it should refuse is refused.
#include "legal_transitions.hpp"

#include <boost/json.hpp>
#include <boost/test/unit_test.hpp>

namespace json = boost::json;
using portd::porting::order_kind;
using portd::porting::order_state;
using portd::test::decide_transitions;
using portd::test::history_problems;
using portd::test::transition;

namespace {

json::object event(std::int64_t order, std::int64_t seq, const std::string& type, const std::string& from,
                   const std::string& to) {
  return {{"id", 1000 + seq}, {"order_id", order}, {"seq", seq},      {"type", type},
          {"from_state", from}, {"to_state", to},  {"actor", "daemon"}, {"message", ""}};
}

// A port-in's history as order.history renders it: created, then each state change in turn.
json::array history(const std::vector<std::string>& states, std::int64_t order = 7) {
  json::array h{event(order, 1, "order.created", "received", "received")};
  for (std::size_t i = 1; i < states.size(); ++i)
    h.push_back(event(order, static_cast<std::int64_t>(i) + 1, "order.state_changed", states[i - 1], states[i]));
  return h;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (auto& x : v) s += x + "\n";
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(reliability)

BOOST_AUTO_TEST_CASE(exploring_decide_finds_its_transitions_and_no_others) {
  const auto& legal = decide_transitions();
  BOOST_TEST_MESSAGE("decide() explored: " << legal.states_explored << " orders, " << legal.decisions
                                           << " decisions, " << legal.transitions.size() << " transitions");
  for (const auto& t : legal.transitions) BOOST_TEST_MESSAGE("  " << to_string(t));
  // Anchors that show the exploration reached the whole life of both kinds of order (not a
  // table of what is legal: that comes from decide()).
  using enum order_state;
  for (const transition t : {transition{order_kind::port_in, received, checking_eligibility},
                             {order_kind::port_in, received, submitting},  // eligibility skipped
                             {order_kind::port_in, checking_eligibility, submitting},
                             {order_kind::port_in, submitting, submitted},
                             {order_kind::port_in, submitting, submit_unknown},
                             {order_kind::port_in, submit_unknown, submitted},  // resolve: adopt
                             {order_kind::port_in, carrier_approval, scheduled},
                             {order_kind::port_in, scheduled, completed},
                             {order_kind::port_in, rejected, submitted},  // corrected
                             {order_kind::port_in, cancelling, cancelled},
                             {order_kind::port_in, failed, checking_eligibility},  // retry
                             {order_kind::port_out, received, issuing_pin},
                             {order_kind::port_out, issuing_pin, submitted},
                             {order_kind::port_out, issuing_pin, submit_unknown},
                             {order_kind::port_out, carrier_approval, port_out_rejected},
                             {order_kind::port_out, cancelling, port_out_rejected},
                             {order_kind::port_in, cancelling, submitted},  // a refused cancel settles
                             {order_kind::port_in, cancelling, rejected},
                             {order_kind::port_in, cancelling, failed},  // Telegent knows no such order
                             {order_kind::port_in, received, closed},
                             {order_kind::port_in, cancelling, closed},
                             {order_kind::port_in, submit_unknown, closed},
                             {order_kind::port_out, failed, closed}})
    BOOST_TEST(legal.contains(t), to_string(t) << " not found");
  // Nothing leaves a terminal state, nothing goes back to received, a port-out never checks
  // eligibility and a port-in never issues a PIN.
  for (const auto& t : legal.transitions) {
    BOOST_TEST(!portd::porting::is_terminal(t.from), to_string(t));
    BOOST_TEST(t.to != received, to_string(t));
    BOOST_TEST(t.from != t.to, to_string(t));
    if (t.kind == order_kind::port_out) BOOST_TEST((t.to != checking_eligibility && t.to != submitting && t.to != rejected), to_string(t));
    else BOOST_TEST((t.to != issuing_pin && t.to != port_out_rejected), to_string(t));
  }
}

BOOST_AUTO_TEST_CASE(a_history_that_does_not_replay_through_decide_is_refused) {
  const auto& legal = decide_transitions();
  const std::vector<std::string> life{"received", "checking_eligibility", "submitting", "submitted",
                                      "carrier_approval", "scheduled", "completed"};
  auto good = history(life);
  BOOST_TEST(history_problems(7, order_kind::port_in, "completed", good, legal).empty(),
             joined(history_problems(7, order_kind::port_in, "completed", good, legal)));

  // Chains, but a port-in never goes from submitted to issuing_pin.
  auto illegal = history({"received", "checking_eligibility", "submitting", "submitted", "issuing_pin"});
  auto p = history_problems(7, order_kind::port_in, "issuing_pin", illegal, legal);
  BOOST_TEST_REQUIRE(p.size() == 1u, joined(p));
  BOOST_TEST(p[0].find("decide() never makes") != std::string::npos, p[0]);
  BOOST_TEST(p[0].find("\"seq\":5") != std::string::npos, "the offending event is named: " << p[0]);

  // Legal for a port-in, not for a port-out.
  auto eligibility = history({"received", "checking_eligibility"});
  BOOST_TEST(history_problems(7, order_kind::port_in, "checking_eligibility", eligibility, legal).empty());
  BOOST_TEST(history_problems(7, order_kind::port_out, "checking_eligibility", eligibility, legal).size() == 1u);

  // Out of a terminal state.
  auto reborn = good;
  reborn.push_back(event(7, 8, "order.state_changed", "completed", "submitted"));
  BOOST_TEST(history_problems(7, order_kind::port_in, "submitted", reborn, legal).size() == 1u);

  // A gap in seq, a broken chain, a state change in disguise, another order's event, a history
  // that ends elsewhere than the order.
  auto gap = good;
  gap.erase(gap.begin() + 3);  // seq 4 missing: seq 5 follows 3, and submitting -> carrier_approval breaks the chain
  BOOST_TEST(history_problems(7, order_kind::port_in, "completed", gap, legal).size() >= 2u);
  auto disguised = good;
  disguised.back().as_object()["type"] = "order.remote_status_changed";
  BOOST_TEST(!history_problems(7, order_kind::port_in, "completed", disguised, legal).empty());
  auto foreign = good;
  foreign.back().as_object()["order_id"] = 8;
  BOOST_TEST(history_problems(7, order_kind::port_in, "completed", foreign, legal).size() == 1u);
  BOOST_TEST(history_problems(7, order_kind::port_in, "cancelled", good, legal).size() == 1u);
  BOOST_TEST(history_problems(7, order_kind::port_in, "received", json::array{}, legal).size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
