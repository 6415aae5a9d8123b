// decide(): no dead ends. Every non-terminal state of both machines has an operator exit
// (order.close at least), close ends an order locally from anywhere, and an ambiguous
// submission is resent only inside the resend window.
#include "decide_harness.hpp"

#include <map>
#include <set>

using namespace decide_test;

namespace {

// An order resting in `s` with no call out, as the store would hold it.
order resting(order_kind kind, order_state s) {
  order o = kind == order_kind::port_in ? make_port_in() : make_port_out();
  o.state = s;
  const bool known = s != order_state::received && s != order_state::checking_eligibility &&
                     s != order_state::submitting && s != order_state::issuing_pin &&
                     s != order_state::submit_unknown;
  if (known) o.remote_order_id = "JNUOID-rest";
  o.attention = needs_operator(s) ? attention_kind::operator_state : attention_kind::none;
  if (o.needs_attention()) o.attention_reason = "something went wrong";
  if (s == order_state::submitted || s == order_state::carrier_approval || s == order_state::scheduled ||
      s == order_state::rejected || s == order_state::cancelling || s == order_state::checking_eligibility ||
      s == order_state::submitting || s == order_state::issuing_pin)
    o.next_check_at = t0() + 1min;
  return o;
}

std::vector<order_state> states_of(order_kind kind) {
  std::vector<order_state> v;
  for (int i = 0; i < order_state_count; ++i) {
    const auto s = static_cast<order_state>(i);
    if (is_terminal(s)) continue;
    // Kind-specific steps: eligibility and submitting are port-in's, issuing_pin port-out's;
    // a port-out is never rejected-and-open (port_out_rejected ends it).
    if (kind == order_kind::port_out &&
        (s == order_state::checking_eligibility || s == order_state::submitting || s == order_state::rejected))
      continue;
    if (kind == order_kind::port_in && s == order_state::issuing_pin) continue;
    v.push_back(s);
  }
  return v;
}

// The operator commands that move an order in `s` (change its state or start a call).
std::set<std::string> exits(order_kind kind, order_state s) {
  std::map<std::string, input> commands{
      {"close", cmd_close{"operator decision", op}},
      {"cancel", cancel_cmd("no longer wanted")},
      {"update", update_cmd(name_patch())},
      {"resolve --remote-order-id", cmd_resolve{"JNUOID-adopt", false, op, {}}},
      {"resolve --resubmit", cmd_resolve{"", true, op, {}}},
      {"retry", cmd_retry{op}},
      {"poll", cmd_poll_now{op}},
  };
  std::set<std::string> moved;
  for (const auto& [name, in] : commands) {
    const order o = resting(kind, s);
    const decision d = decide(o, in, t0(), policy{});
    if (!d.refused && (d.next.state != o.state || d.call)) moved.insert(name);
  }
  return moved;
}

std::string joined(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ", ") + x;
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(decide_exits)

BOOST_AUTO_TEST_CASE(every_non_terminal_state_of_both_machines_has_an_operator_exit) {
  // What each state offers besides close (DESIGN.md §4 "operator exits").
  const std::map<std::pair<order_kind, order_state>, std::string> expected{
      {{order_kind::port_in, order_state::received}, "cancel, close"},
      {{order_kind::port_in, order_state::checking_eligibility}, "cancel, close"},
      {{order_kind::port_in, order_state::submitting}, "cancel, close"},
      {{order_kind::port_in, order_state::submit_unknown}, "cancel, close, resolve --remote-order-id, resolve --resubmit"},
      {{order_kind::port_in, order_state::submitted}, "cancel, close, poll, update"},
      {{order_kind::port_in, order_state::carrier_approval}, "cancel, close, poll, update"},
      {{order_kind::port_in, order_state::scheduled}, "cancel, close, poll, update"},
      {{order_kind::port_in, order_state::rejected}, "cancel, close, poll, update"},
      {{order_kind::port_in, order_state::cancelling}, "close, poll"},
      {{order_kind::port_in, order_state::failed}, "cancel, close, poll, retry"},
      {{order_kind::port_out, order_state::received}, "cancel, close"},
      {{order_kind::port_out, order_state::issuing_pin}, "cancel, close"},
      {{order_kind::port_out, order_state::submit_unknown}, "cancel, close, resolve --remote-order-id, resolve --resubmit"},
      {{order_kind::port_out, order_state::submitted}, "cancel, close, poll"},
      {{order_kind::port_out, order_state::carrier_approval}, "cancel, close, poll"},
      {{order_kind::port_out, order_state::scheduled}, "cancel, close, poll"},
      {{order_kind::port_out, order_state::cancelling}, "close, poll"},
      {{order_kind::port_out, order_state::failed}, "cancel, close, poll, retry"},
  };
  std::size_t walked = 0;
  for (auto kind : {order_kind::port_in, order_kind::port_out}) {
    for (order_state s : states_of(kind)) {
      BOOST_TEST_CONTEXT(kind << " " << s) {
        ++walked;
        const auto moved = exits(kind, s);
        BOOST_TEST(moved.count("close") == 1u, "close ends every non-terminal order");
        const auto it = expected.find({kind, s});
        BOOST_TEST_REQUIRE((it != expected.end()), "a state the table does not list");
        BOOST_TEST(joined(moved) == it->second);
      }
    }
  }
  BOOST_TEST(walked == expected.size());
}

BOOST_AUTO_TEST_CASE(close_ends_the_order_locally_with_who_and_why) {
  for (auto kind : {order_kind::port_in, order_kind::port_out}) {
    for (order_state s : states_of(kind)) {
      BOOST_TEST_CONTEXT(kind << " " << s) {
        harness h(resting(kind, s));
        h.o.pending = s == order_state::submit_unknown ? pending_intent::cancel : pending_intent::none;
        h.step(cmd_close{"the subscriber left; Telegent support confirmed", op});
        BOOST_TEST(h.o.state == order_state::closed);
        BOOST_TEST(h.o.secrets.empty(), "secrets are purged at the end (rule 5)");
        BOOST_TEST(!h.o.needs_attention());
        BOOST_TEST(!h.o.next_check_at.has_value());
        BOOST_TEST(h.o.pending != pending_intent::cancel);
        BOOST_TEST(!h.d.call.has_value(), "Telegent is told nothing");
        const event_record* e = h.last_of(event_type::state_changed);
        BOOST_TEST_REQUIRE(e != nullptr);
        BOOST_TEST(e->actor == op);
        BOOST_TEST(e->from_state == s);
        BOOST_TEST(contains(e->message, "the subscriber left; Telegent support confirmed"));
        if (!h.o.remote_order_id.empty())
          BOOST_TEST(contains(e->message, "JNUOID-rest was not cancelled there"), e->message);
        // Closed is the end: nothing moves it again.
        h.step(timer_fired{});
        BOOST_TEST(!h.d.changed());
        h.step(cmd_close{"again", op});
        BOOST_TEST(h.d.refused.has_value());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(close_needs_a_reason_and_a_live_order) {
  harness h = submitted_port_in();
  h.step(cmd_close{"", op});
  BOOST_TEST_REQUIRE(h.d.refused.has_value());
  BOOST_TEST(h.d.refused->field == "reason");
  harness done(resting(order_kind::port_in, order_state::submitted));
  done.o.state = order_state::completed;
  done.step(cmd_close{"why not", op});
  BOOST_TEST_REQUIRE(done.d.refused.has_value());
  BOOST_TEST((done.d.refused->kind == refusal_kind::invalid_state));
}

BOOST_AUTO_TEST_CASE(close_waits_for_a_command_call_but_not_for_a_read) {
  // A submission out may create the order at Telegent: its answer is recorded first.
  harness h(make_port_in());
  h.o.skip_eligibility = true;
  h.step(start{});
  BOOST_TEST_REQUIRE(str(h.o.in_flight) == "submit_port_in");
  h.step(cmd_close{"operator decision", op});
  BOOST_TEST_REQUIRE(h.d.refused.has_value());
  BOOST_TEST((h.d.refused->kind == refusal_kind::invalid_state));
  BOOST_TEST(contains(h.d.refused->message, "try again in a moment"), h.d.refused->message);
  h.answer(submit_ok());
  h.step(cmd_close{"operator decision", op});
  BOOST_TEST(h.o.state == order_state::closed);

  // A status poll out changes nothing at Telegent: close goes ahead, the poll's answer is ignored.
  harness p = submitted_port_in();
  p.fire();
  BOOST_TEST_REQUIRE(str(p.o.in_flight) == "status");
  p.step(cmd_close{"operator decision", op});
  BOOST_TEST(p.o.state == order_state::closed);
  p.step(status_result("Completed"));
  BOOST_TEST(!p.d.changed());
  BOOST_TEST(p.o.state == order_state::closed);
}

BOOST_AUTO_TEST_CASE(an_ambiguous_port_in_is_resent_inside_the_resend_window) {
  harness h(make_port_in());
  h.o.skip_eligibility = true;
  h.step(start{});
  h.answer(transient(call_kind::submit_port_in, /*maybe_processed=*/true, 0));
  BOOST_TEST(h.o.submit == submit_certainty::ambiguous);
  BOOST_TEST_REQUIRE(h.o.ambiguous_since.has_value());
  BOOST_TEST((*h.o.ambiguous_since == h.now));
  h.fire();
  BOOST_TEST(str(h.d.call) == "submit_port_in", "a resend under Telegent's duplicate guard");
}

BOOST_AUTO_TEST_CASE(an_ambiguous_port_in_older_than_the_window_goes_to_an_operator) {
  harness h(make_port_in());
  h.o.skip_eligibility = true;
  h.step(start{});
  h.answer(transient(call_kind::submit_port_in, /*maybe_processed=*/true, 0));
  // A long pause (a 429 told us to wait, the store was down): the timer fires much later.
  h.now += h.pol.resend_window + 1s;
  h.step(timer_fired{});
  BOOST_TEST(h.o.state == order_state::submit_unknown, "not resent: the first order may have completed");
  BOOST_TEST(!h.d.call.has_value());
  BOOST_TEST(h.o.needs_attention());
  BOOST_TEST(contains(h.o.attention_reason, "resend window"), h.o.attention_reason);
  h.step(cmd_resolve{"", true, op, {}});
  BOOST_TEST(str(h.d.call) == "submit_port_in", "an operator may still resubmit");
}

BOOST_AUTO_TEST_CASE(a_restart_long_after_an_ambiguous_submission_does_not_resend) {
  for (auto [downtime, resent] : {std::pair{30min, true}, std::pair{std::chrono::minutes(3 * 24 * 60), false}}) {
    BOOST_TEST_CONTEXT("down for " << downtime.count() << " min") {
      harness h(make_port_in());
      h.o.skip_eligibility = true;
      h.step(start{});
      h.o.request_sent = true;  // the send mark: the request may have left
      h.o.updated_at = h.now;
      h.now += downtime;
      h.step(recovered{});
      if (resent) {
        BOOST_TEST(str(h.d.call) == "submit_port_in");
        BOOST_TEST(h.o.submit == submit_certainty::ambiguous);
      } else {
        BOOST_TEST(h.o.state == order_state::submit_unknown);
        BOOST_TEST(!h.d.call.has_value());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(resolve_records_what_telegent_said_of_the_adopted_order) {
  harness h(make_port_out());
  h.step(start{});
  h.answer(transient(call_kind::submit_port_out, true, 0));
  BOOST_TEST_REQUIRE(h.o.state == order_state::submit_unknown);
  h.step(cmd_resolve{"JNUOID-good", false, op, "Telegent reports \"Port Out Pending\""});
  BOOST_TEST(h.o.state == order_state::submitted);
  BOOST_TEST(contains(h.last_of(event_type::state_changed)->message, "Telegent reports \"Port Out Pending\""));
}

BOOST_AUTO_TEST_SUITE_END()
