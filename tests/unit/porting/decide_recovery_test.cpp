// decide(): what a restart does in every state, with and without a call in flight (rule 1:
// recovery reads intents and decides; rule 3: a lost submit is resent only under the guard).
#include "decide_harness.hpp"

using namespace decide_test;

namespace {

order in_state(order_state s, std::optional<call_kind> in_flight, bool remote) {
  order o = make_port_in();
  o.state = s;
  o.in_flight = in_flight;
  o.request_sent = in_flight.has_value();  // the request had left when portd died
  if (remote) o.remote_order_id = "JNUOID-6c05";
  if (is_terminal(s)) o.secrets = {};
  o.attention = needs_operator(s) ? attention_kind::operator_state : attention_kind::none;
  return o;
}

// A port-out whose submission was out when portd died; `sent`: its request had left.
order port_out_in_flight(bool sent) {
  order o = make_port_out();
  o.state = order_state::issuing_pin;
  o.in_flight = call_kind::submit_port_out;
  o.request_sent = sent;
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(decide_recovery)

BOOST_AUTO_TEST_CASE(lost_call_is_redone_or_judged) {
  struct row {
    order_state state;
    call_kind lost;
    bool remote;
    order_state then;
    const char* call;
  };
  const row rows[] = {
      {order_state::checking_eligibility, call_kind::eligibility, false, order_state::checking_eligibility, "eligibility"},
      {order_state::submitting, call_kind::submit_port_in, false, order_state::submitting, "submit_port_in"},
      {order_state::submitted, call_kind::status, true, order_state::submitted, "status"},
      {order_state::carrier_approval, call_kind::status, true, order_state::carrier_approval, "status"},
      {order_state::scheduled, call_kind::status, true, order_state::scheduled, "status"},
      {order_state::rejected, call_kind::status, true, order_state::rejected, "status"},
      {order_state::rejected, call_kind::update, true, order_state::rejected, "update"},
      {order_state::submitted, call_kind::update, true, order_state::submitted, "update"},
      {order_state::cancelling, call_kind::cancel, true, order_state::cancelling, "cancel"},
  };
  for (const auto& r : rows) {
    BOOST_TEST_CONTEXT(r.state << " with " << r.lost << " in flight") {
      harness h(in_state(r.state, r.lost, r.remote));
      h.step(recovered{});
      BOOST_TEST(h.o.state == r.then);
      BOOST_TEST(str(h.d.call) == r.call);
    }
  }
}

BOOST_AUTO_TEST_CASE(lost_port_in_submit_is_resent_as_ambiguous_with_an_event) {
  harness h(in_state(order_state::submitting, call_kind::submit_port_in, false));
  h.step(recovered{});
  BOOST_TEST(h.o.submit == submit_certainty::ambiguous);
  BOOST_TEST(str(h.d.call) == "submit_port_in");
  BOOST_TEST(h.count_in_last(event_type::error) == 1u);
  // The resend is refused as a duplicate: the first POST did create an order.
  h.answer(refused(call_kind::submit_port_in, "duplicate_order", 409));
  BOOST_TEST(h.o.state == order_state::submit_unknown);

  // Or accepted: the first POST created nothing.
  harness a(in_state(order_state::submitting, call_kind::submit_port_in, false));
  a.step(recovered{});
  a.answer(submit_ok());
  BOOST_TEST(a.o.state == order_state::submitted);
  BOOST_TEST(a.o.submit == submit_certainty::known);
}

BOOST_AUTO_TEST_CASE(lost_port_out_submit_lands_in_submit_unknown) {
  harness h(port_out_in_flight(true));
  h.step(recovered{});
  BOOST_TEST(h.o.state == order_state::submit_unknown);
  BOOST_TEST(h.o.needs_attention());
  BOOST_TEST(!h.d.call.has_value());
}

// A submission whose intent was committed but whose request never left (it was waiting for
// the budget when portd died) reached nobody: it is simply sent again, with nothing for an
// operator to sort out.
BOOST_AUTO_TEST_CASE(port_out_submit_that_never_left_is_sent_again) {
  harness h(port_out_in_flight(false));
  h.step(recovered{});
  BOOST_TEST(h.o.state == order_state::issuing_pin);
  BOOST_TEST(!h.o.needs_attention());
  BOOST_TEST(str(h.d.call) == "submit_port_out");
  BOOST_TEST(!h.o.request_sent, "the new attempt has not left either");
  BOOST_TEST(h.d.events.empty());
}

BOOST_AUTO_TEST_CASE(port_in_submit_that_never_left_is_sent_again_not_ambiguous) {
  order o = in_state(order_state::submitting, call_kind::submit_port_in, false);
  o.request_sent = false;
  harness h(o);
  h.step(recovered{});
  BOOST_TEST(str(h.d.call) == "submit_port_in");
  BOOST_TEST(h.o.submit == submit_certainty::known);
  // So a duplicate refusal now means another order portd did not create, not an earlier attempt.
  h.answer(refused(call_kind::submit_port_in, "duplicate_order", 409));
  BOOST_TEST(h.o.state == order_state::failed);
}

BOOST_AUTO_TEST_CASE(submit_that_never_left_with_cancel_requested_is_cancelled_locally) {
  order o = port_out_in_flight(false);
  o.pending = pending_intent::cancel;
  harness h(o);
  h.step(recovered{});
  BOOST_TEST(h.o.state == order_state::cancelled);
  BOOST_TEST(!h.d.call.has_value());
}

BOOST_AUTO_TEST_CASE(a_result_or_a_new_call_clears_request_sent) {
  order o = in_state(order_state::submitting, call_kind::submit_port_in, false);
  harness h(o);
  h.answer(transient(call_kind::submit_port_in, true, 503));
  BOOST_TEST(!h.o.request_sent);
  h.fire();
  BOOST_TEST(str(h.o.in_flight) == "submit_port_in");
  BOOST_TEST(!h.o.request_sent);
}

BOOST_AUTO_TEST_CASE(lost_submit_with_cancel_requested_is_cancelled_after) {
  order o = in_state(order_state::submitting, call_kind::submit_port_in, false);
  o.pending = pending_intent::cancel;
  harness h(o);
  h.step(recovered{});
  BOOST_TEST(str(h.d.call) == "submit_port_in");
  h.answer(submit_ok());
  BOOST_TEST(h.o.state == order_state::cancelling);
  BOOST_TEST(str(h.d.call) == "cancel");
}

BOOST_AUTO_TEST_CASE(lost_poll_with_cancel_requested_sends_the_cancel) {
  order o = in_state(order_state::cancelling, call_kind::status, true);
  o.pending = pending_intent::cancel;
  harness h(o);
  h.step(recovered{});
  BOOST_TEST(str(h.d.call) == "cancel");
}

BOOST_AUTO_TEST_CASE(lost_status_check_after_a_refused_cancel_stays_a_check) {
  harness h = submitted_port_in();
  h.step(cancel_cmd());
  h.answer(refused(call_kind::cancel, "duplicate_order", 409, "the order is final"));
  BOOST_TEST_REQUIRE(str(h.o.in_flight) == "status");
  h.step(recovered{});
  BOOST_TEST(str(h.d.call) == "status");
}

BOOST_AUTO_TEST_CASE(cancel_that_keeps_failing_is_still_resent) {
  harness h = submitted_port_in();
  h.step(cancel_cmd());
  for (int i = 0; i < h.pol.retry.max_attempts_command + 2; ++i) {
    h.answer(transient(call_kind::cancel, true, 503));
    BOOST_TEST(h.o.state == order_state::cancelling, "a cancel is never given up on");
    h.fire();
    BOOST_TEST(str(h.d.call) == "cancel");
  }
  BOOST_TEST(h.o.needs_attention(), "but an operator hears about it");
  BOOST_TEST(h.count(event_type::needs_attention) == 1u);
  h.step(recovered{});
  BOOST_TEST(str(h.d.call) == "cancel");
  h.answer(cancel_ok());
  BOOST_TEST(h.o.state == order_state::cancelled);
}

BOOST_AUTO_TEST_CASE(resting_orders_keep_their_next_check) {
  for (order_state s : {order_state::checking_eligibility, order_state::submitting, order_state::submitted,
                        order_state::carrier_approval, order_state::scheduled, order_state::rejected,
                        order_state::cancelling}) {
    BOOST_TEST_CONTEXT(s) {
      order o = in_state(s, std::nullopt, is_polled(s) || s == order_state::cancelling);
      o.next_check_at = t0() + 7min;
      harness h(o);
      h.step(recovered{});
      BOOST_TEST(!h.d.call.has_value());
      BOOST_TEST_REQUIRE(h.d.wake_at.has_value());
      BOOST_TEST((*h.d.wake_at == t0() + 7min), "next_check_at honoured");
      // A check that fell due while portd was down is done at once.
      h.o = o;
      h.now = t0() + 1h;
      h.step(recovered{});
      BOOST_TEST_REQUIRE(h.d.wake_at.has_value());
      BOOST_TEST((*h.d.wake_at == h.now));
    }
  }
}

BOOST_AUTO_TEST_CASE(resting_orders_without_a_check_act_now) {
  harness r(in_state(order_state::received, std::nullopt, false));
  r.step(recovered{});
  BOOST_TEST(r.o.state == order_state::checking_eligibility);
  BOOST_TEST(str(r.d.call) == "eligibility");

  harness p(in_state(order_state::scheduled, std::nullopt, true));
  p.step(recovered{});
  BOOST_TEST(str(p.d.call) == "status");

  harness c(in_state(order_state::cancelling, std::nullopt, true));
  c.step(recovered{});
  BOOST_TEST(str(c.d.call) == "cancel");
}

BOOST_AUTO_TEST_CASE(operator_and_terminal_states_stay_put) {
  for (order_state s : {order_state::submit_unknown, order_state::failed, order_state::ineligible,
                        order_state::cancelled, order_state::completed}) {
    BOOST_TEST_CONTEXT(s) {
      harness h(in_state(s, std::nullopt, s == order_state::completed));
      h.step(recovered{});
      BOOST_TEST(!h.d.changed());
      BOOST_TEST(h.o.state == s);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_state_every_lost_call_both_kinds) {
  for (order_kind kind : {order_kind::port_in, order_kind::port_out}) {
    for (int si = 0; si < order_state_count; ++si) {
      const auto s = static_cast<order_state>(si);
      if (kind == order_kind::port_out &&
          (s == order_state::checking_eligibility || s == order_state::submitting || s == order_state::ineligible))
        continue;
      if (kind == order_kind::port_in && s == order_state::issuing_pin) continue;
      std::vector<std::optional<call_kind>> lost{std::nullopt};
      for (int ci = 0; ci < 6; ++ci)
        if (call_fits_state(static_cast<call_kind>(ci), s)) lost.emplace_back(static_cast<call_kind>(ci));
      for (const auto& c : lost)
      for (const bool sent : {true, false}) {
        if (c == call_kind::update && kind == order_kind::port_out) continue;
        if (!c && !sent) continue;
        BOOST_TEST_CONTEXT(kind << " " << s << " lost " << str(c) << (sent ? " (sent)" : " (not yet sent)")) {
          order o = kind == order_kind::port_in ? make_port_in() : make_port_out();
          o.state = s;
          o.in_flight = c;
          o.request_sent = c.has_value() && sent;
          const bool remote = is_polled(s) || s == order_state::cancelling ||
                              s == order_state::completed || (s == order_state::failed && c);
          if (remote) o.remote_order_id = "JNUOID-1";
          if (is_terminal(s)) {
            o.secrets = {};
            o.in_flight.reset();
          }
          o.attention = needs_operator(s) ? attention_kind::operator_state : attention_kind::none;
          harness h(o);
          h.step(recovered{});  // the harness checks every invariant
          BOOST_TEST((!h.o.in_flight.has_value() || h.d.call.has_value()), "a lost call is never left marked out");
          if (c && !is_terminal(s)) {
            if (*c == call_kind::submit_port_out && sent) {
              BOOST_TEST(h.o.state == order_state::submit_unknown);
            } else if (s == order_state::failed) {
              BOOST_TEST(!h.d.call.has_value());
            } else if (s == order_state::cancelling) {
              BOOST_TEST(str(h.d.call) == "cancel", "cancel wins over what was out beside it");
            } else {
              BOOST_TEST(str(h.d.call) == str(c), "redone");
              BOOST_TEST(h.o.state == s);
            }
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(port_out_waiting_to_retry_keeps_its_check) {
  order o = make_port_out();
  o.state = order_state::issuing_pin;
  o.next_check_at = t0() + 4s;
  harness h(o);
  h.step(recovered{});
  BOOST_TEST(!h.d.call.has_value());
  BOOST_TEST((h.d.wake_at == t0() + 4s));
  h.fire();
  BOOST_TEST(str(h.d.call) == "submit_port_out", "a retry that was due, not yet sent: no ambiguity");
}

BOOST_AUTO_TEST_SUITE_END()
