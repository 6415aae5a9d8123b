// decide(): the port-out machine (received → issuing_pin → submitted → … → an end), which has
// no duplicate guard to make an ambiguous resend safe (rule 3).
#include "decide_harness.hpp"

using namespace decide_test;

BOOST_AUTO_TEST_SUITE(decide_port_out)

BOOST_AUTO_TEST_CASE(happy_path) {
  harness h(make_port_out());
  h.step(start{});
  BOOST_TEST(h.o.state == order_state::issuing_pin);
  BOOST_TEST(str(h.d.call) == "submit_port_out", "no eligibility check for a port-out");
  BOOST_TEST(h.o.secrets.port_out_pin == out_pin_canary, "the PIN is kept until the call is done");

  h.answer(port_out_ok("JNUOID-out1"));
  BOOST_TEST(h.o.state == order_state::submitted);
  BOOST_TEST(h.o.remote_order_id == "JNUOID-out1");
  BOOST_TEST_REQUIRE(h.d.wake_at.has_value());
  BOOST_TEST((*h.d.wake_at == h.now + h.pol.poll.first_after_submit));

  poll_to(h, "Port Out Pending");
  BOOST_TEST(h.o.state == order_state::submitted);
  BOOST_TEST(h.count_in_last(event_type::remote_status_changed) == 1u);
  poll_to(h, "Port Out Processing");
  BOOST_TEST(h.o.state == order_state::carrier_approval);
  poll_to(h, "Port Out Complete");
  BOOST_TEST(h.o.state == order_state::completed);
  BOOST_TEST(h.o.secrets.empty());
  BOOST_TEST(!h.o.next_check_at.has_value());
  const std::vector<std::string> expected{"received>issuing_pin", "issuing_pin>submitted",
                                          "submitted>carrier_approval", "carrier_approval>completed"};
  BOOST_TEST(h.transitions() == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(port_out_rejected_is_final) {
  for (const char* status : {"Port Out Rejected", "Rejected", "ResolutionRequired", "Error"}) {
    BOOST_TEST_CONTEXT(status) {
      harness h = submitted_port_out();
      h.fire();
      h.answer(status_result(status, "6B: transfer PIN mismatch"));
      // Final at Telegent: the gaining carrier starts over with a fresh PIN; nothing to watch.
      BOOST_TEST(h.o.state == order_state::port_out_rejected);
      BOOST_TEST(is_terminal(h.o.state));
      BOOST_TEST(h.o.secrets.empty());
      BOOST_TEST(!h.o.next_check_at.has_value());
      BOOST_TEST(!h.d.call.has_value());
      // The operator hears it, with the carrier's reason.
      BOOST_TEST_REQUIRE(h.count_in_last(event_type::needs_attention) == 1u);
      BOOST_TEST(contains(h.last_of(event_type::needs_attention)->message, "6B: transfer PIN mismatch"));
      BOOST_TEST(contains(h.last_of(event_type::state_changed)->message, "6B: transfer PIN mismatch"));
    }
  }
}

BOOST_AUTO_TEST_CASE(port_out_rejected_while_a_cancel_is_out_ends_too) {
  harness h = submitted_port_out();
  h.step(cancel_cmd());
  h.answer(refused(call_kind::cancel, "duplicate_order", 409, "order is final"));
  BOOST_TEST(str(h.o.in_flight) == "status");
  h.answer(status_result("Port Out Rejected", "6B: transfer PIN mismatch"));
  BOOST_TEST(h.o.state == order_state::port_out_rejected);
  BOOST_TEST(!h.o.needs_attention());
  BOOST_TEST(h.count(event_type::needs_attention) == 2u, "the refusal, then the rejection");
}

BOOST_AUTO_TEST_CASE(ambiguous_goes_straight_to_submit_unknown) {
  for (int http : {0, 500, 502, 503, 504}) {
    BOOST_TEST_CONTEXT("HTTP " << http) {
      harness h(make_port_out());
      h.step(start{});
      h.answer(transient(call_kind::submit_port_out, /*maybe_processed=*/true, http));
      BOOST_TEST(h.o.state == order_state::submit_unknown, "no duplicate guard: never resent blindly");
      BOOST_TEST(h.o.needs_attention());
      BOOST_TEST(!h.d.call.has_value());
      h.step(timer_fired{});
      BOOST_TEST(!h.d.changed());
    }
  }
}

BOOST_AUTO_TEST_CASE(transient_before_sending_is_retried) {
  harness h(make_port_out());
  h.step(start{});
  h.answer(transient(call_kind::submit_port_out, false, 0));
  BOOST_TEST(h.o.state == order_state::issuing_pin);
  h.fire();
  BOOST_TEST(str(h.d.call) == "submit_port_out");
  h.answer(port_out_ok());
  BOOST_TEST(h.o.state == order_state::submitted);
}

BOOST_AUTO_TEST_CASE(refused_fails) {
  harness h(make_port_out());
  h.step(start{});
  h.answer(refused(call_kind::submit_port_out, "bad_request", 400, "$.PortOutPIN is invalid"));
  BOOST_TEST(h.o.state == order_state::failed);
  BOOST_TEST(h.o.needs_attention());
  h.step(cmd_retry{op});
  BOOST_TEST(h.o.state == order_state::issuing_pin);
  BOOST_TEST(str(h.d.call) == "submit_port_out");
}

BOOST_AUTO_TEST_CASE(retry_of_a_failed_port_out_telegent_knows_watches_it_again) {
  harness h = submitted_port_out();
  h.step(cancel_cmd());
  h.answer(refused(call_kind::cancel, "not_found", 404, "GENS-0041 No Port-In request found"));
  BOOST_TEST_REQUIRE(h.o.state == order_state::failed);
  h.step(cmd_retry{op});
  BOOST_TEST(h.o.state == order_state::submitted);
  BOOST_TEST(str(h.d.call) == "status", "a port-out has no details to update: it is polled");
}

BOOST_AUTO_TEST_CASE(cancel_while_issuing_then_refused_cancels_locally) {
  harness h(make_port_out());
  h.step(start{});
  h.step(cancel_cmd());
  BOOST_TEST(h.o.pending == pending_intent::cancel);
  BOOST_TEST(h.o.state == order_state::issuing_pin);
  h.answer(transient(call_kind::submit_port_out, false, 0));
  BOOST_TEST(h.o.state == order_state::cancelled);
}

BOOST_AUTO_TEST_CASE(cancel_while_issuing_then_ok_cancels_at_telegent) {
  harness h(make_port_out());
  h.step(start{});
  h.step(cancel_cmd());
  h.answer(port_out_ok());
  BOOST_TEST(h.o.state == order_state::cancelling);
  BOOST_TEST(str(h.d.call) == "cancel");
  h.answer(cancel_ok());
  BOOST_TEST(h.o.state == order_state::cancelled);
  BOOST_TEST(h.o.secrets.empty());
}

BOOST_AUTO_TEST_CASE(resolve_adopt) {
  harness h(make_port_out());
  h.step(start{});
  h.answer(transient(call_kind::submit_port_out, true, 504));
  h.step(cmd_resolve{"JNUOID-out7", false, op});
  BOOST_TEST(h.o.state == order_state::submitted);
  BOOST_TEST(str(h.d.call) == "status");
  h.answer(status_result("Port Out Complete"));
  BOOST_TEST(h.o.state == order_state::completed);
}

BOOST_AUTO_TEST_SUITE_END()
