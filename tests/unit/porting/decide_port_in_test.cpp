// decide(): the port-in machine from received to every end (DESIGN.md §4, rules 1 and 3).
#include "decide_harness.hpp"

using namespace decide_test;

BOOST_AUTO_TEST_SUITE(decide_port_in)

BOOST_AUTO_TEST_CASE(happy_path_through_every_lifecycle_status) {
  harness h(make_port_in());

  h.step(start{});
  BOOST_TEST(h.o.state == order_state::checking_eligibility);
  BOOST_TEST(str(h.d.call) == "eligibility");

  h.answer(eligibility_answer(true, "Number is eligible for port-in"));
  BOOST_TEST(h.o.state == order_state::submitting);
  BOOST_TEST(str(h.d.call) == "submit_port_in");

  h.answer(submit_ok("JNUOID-6c05", "Pending"));
  BOOST_TEST(h.o.state == order_state::submitted);
  BOOST_TEST(h.o.remote_order_id == "JNUOID-6c05");
  BOOST_TEST(!h.d.call.has_value());
  BOOST_TEST_REQUIRE(h.d.wake_at.has_value());
  BOOST_TEST((*h.d.wake_at == h.now + h.pol.poll.first_after_submit), "first poll soon after submit");
  BOOST_TEST(!h.o.needs_attention());

  struct step_t {
    const char* status;
    order_state state;
  };
  const step_t lifecycle[] = {
      {"Pending", order_state::submitted},
      {"Submitted", order_state::submitted},
      {"Pending Carrier Approval", order_state::carrier_approval},
      {"InProgress", order_state::carrier_approval},
      {"ResolutionRequired", order_state::rejected},
      {"InProgress", order_state::carrier_approval},
      {"Scheduled", order_state::scheduled},
      {"Completed", order_state::completed},
  };
  std::string previous = "Pending";
  for (const auto& s : lifecycle) {
    BOOST_TEST_CONTEXT(s.status) {
      const order_state from = h.o.state;
      h.fire();
      BOOST_TEST(str(h.d.call) == "status");
      h.answer(status_result(s.status));
      BOOST_TEST(h.o.state == s.state);
      BOOST_TEST(h.o.remote_status == s.status);
      const bool status_changed = previous != s.status;
      BOOST_TEST(h.count_in_last(event_type::remote_status_changed) == (status_changed ? 1u : 0u));
      BOOST_TEST(h.count_in_last(event_type::state_changed) == (from != s.state ? 1u : 0u));
      if (from != s.state) {
        const auto* e = h.last_of(event_type::state_changed);
        BOOST_TEST(e->from_state == from);
        BOOST_TEST(e->to_state == s.state);
        BOOST_TEST(e->remote_status == s.status);
        BOOST_TEST(e->actor == "telegent");
      }
      if (status_changed) {
        const auto* e = h.last_of(event_type::remote_status_changed);
        BOOST_TEST(e->remote_status == s.status);
        BOOST_TEST(e->message.find(s.status) != std::string::npos);
      }
      BOOST_TEST(h.o.needs_attention() == (s.state == order_state::rejected));
      previous = s.status;
    }
  }
  BOOST_TEST(h.o.state == order_state::completed);
  BOOST_TEST(h.o.secrets.empty());
  BOOST_TEST(!h.o.next_check_at.has_value());
  BOOST_TEST(!h.d.wake_at.has_value());

  const std::vector<std::string> expected{
      "received>checking_eligibility", "checking_eligibility>submitting", "submitting>submitted",
      "submitted>carrier_approval",    "carrier_approval>rejected",       "rejected>carrier_approval",
      "carrier_approval>scheduled",    "scheduled>completed"};
  BOOST_TEST(h.transitions() == expected, boost::test_tools::per_element());
  BOOST_TEST(h.count(event_type::error) == 0u);

  // Nothing more happens to a completed order.
  h.step(timer_fired{});
  BOOST_TEST(!h.d.changed());
}

BOOST_AUTO_TEST_CASE(kb_statuses_and_complete_spelling) {
  harness h = submitted_port_in();
  poll_to(h, "InProgress");
  BOOST_TEST(h.o.state == order_state::carrier_approval);
  poll_to(h, "Approved");
  BOOST_TEST(h.o.state == order_state::carrier_approval);
  poll_to(h, "Processing");
  BOOST_TEST(h.o.state == order_state::carrier_approval);
  poll_to(h, "Complete");
  BOOST_TEST(h.o.state == order_state::completed);
  BOOST_TEST(h.o.secrets.empty());
}

BOOST_AUTO_TEST_CASE(skip_eligibility_submits_at_once) {
  order o = make_port_in();
  o.skip_eligibility = true;
  harness h(o);
  h.step(start{});
  BOOST_TEST(h.o.state == order_state::submitting);
  BOOST_TEST(str(h.d.call) == "submit_port_in");
}

BOOST_AUTO_TEST_CASE(start_only_starts_a_received_order) {
  harness h = submitted_port_in();
  h.step(start{});
  BOOST_TEST(!h.d.changed());
}

// ---- eligibility -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(ineligible_is_terminal) {
  harness h(make_port_in());
  h.step(start{});
  h.answer(eligibility_answer(false, "Number is not eligible for port-in"));
  BOOST_TEST(h.o.state == order_state::ineligible);
  BOOST_TEST(h.o.secrets.empty());
  BOOST_TEST(!h.d.call.has_value());
  BOOST_TEST(h.last_of(event_type::state_changed)->message == "Number is not eligible for port-in");
}

BOOST_AUTO_TEST_CASE(eligibility_refused_fails) {
  harness h(make_port_in());
  h.step(start{});
  h.answer(refused(call_kind::eligibility, "bad_request", 400, "$.TargetClassification is required"));
  BOOST_TEST(h.o.state == order_state::failed);
  BOOST_TEST(h.o.needs_attention());
  BOOST_TEST_REQUIRE(h.o.last_error.has_value());
  BOOST_TEST(h.o.last_error->reason == "bad_request");
  BOOST_TEST(!h.o.secrets.empty(), "failed is not terminal: the operator may retry");
}

BOOST_AUTO_TEST_CASE(eligibility_transient_backs_off_then_gives_up) {
  harness h(make_port_in());
  h.step(start{});
  const int max = h.pol.retry.max_attempts_command;
  for (int attempt = 1; attempt < max; ++attempt) {
    BOOST_TEST_CONTEXT("attempt " << attempt) {
      h.answer(transient(call_kind::eligibility));
      BOOST_TEST(h.o.state == order_state::checking_eligibility);
      BOOST_TEST(h.o.attempts == attempt);
      BOOST_TEST(h.count_in_last(event_type::error) == 1u);
      BOOST_TEST_REQUIRE(h.d.wake_at.has_value());
      BOOST_TEST((*h.d.wake_at - h.now == h.pol.retry.next_delay(attempt, 42)), "backoff schedule");
      h.fire();
      BOOST_TEST(str(h.d.call) == "eligibility");
    }
  }
  h.answer(transient(call_kind::eligibility));
  BOOST_TEST(h.o.state == order_state::failed);
  BOOST_TEST(h.o.needs_attention());
  BOOST_TEST(h.count(event_type::error) == static_cast<std::size_t>(max - 1));
  BOOST_TEST(h.last_of(event_type::state_changed)->message.find("gave up after 8 attempts") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(eligibility_success_after_transient_resets_attempts) {
  harness h(make_port_in());
  h.step(start{});
  h.answer(transient(call_kind::eligibility, false, 0));
  h.fire();
  h.answer(eligibility_answer(true));
  BOOST_TEST(h.o.attempts == 0);
  BOOST_TEST(!h.o.last_error.has_value());
  BOOST_TEST(h.o.state == order_state::submitting);
}

// ---- submit ------------------------------------------------------------------------------

harness submitting_port_in() {
  harness h(make_port_in());
  h.step(start{});
  h.answer(eligibility_answer(true));
  BOOST_TEST_REQUIRE(h.o.state == order_state::submitting);
  return h;
}

BOOST_AUTO_TEST_CASE(submit_transient_before_sending_is_retried) {
  harness h = submitting_port_in();
  h.answer(transient(call_kind::submit_port_in, /*maybe_processed=*/false, 0));
  BOOST_TEST(h.o.state == order_state::submitting);
  BOOST_TEST(h.o.submit == submit_certainty::known);
  BOOST_TEST(h.count_in_last(event_type::error) == 1u);
  BOOST_TEST_REQUIRE(h.d.wake_at.has_value());
  h.fire();
  BOOST_TEST(str(h.d.call) == "submit_port_in");
  h.answer(submit_ok());
  BOOST_TEST(h.o.state == order_state::submitted);
}

BOOST_AUTO_TEST_CASE(submit_ambiguous_is_resent_under_the_duplicate_guard) {
  harness h = submitting_port_in();
  h.answer(transient(call_kind::submit_port_in, /*maybe_processed=*/true, 504));
  BOOST_TEST(h.o.state == order_state::submitting, "a port-in is resent, not parked");
  BOOST_TEST(h.o.submit == submit_certainty::ambiguous);
  BOOST_TEST(h.count_in_last(event_type::error) == 1u);
  h.fire();
  BOOST_TEST(str(h.d.call) == "submit_port_in");
  h.answer(submit_ok("JNUOID-2"));
  BOOST_TEST(h.o.state == order_state::submitted, "accepted: the first attempt created nothing");
  BOOST_TEST(h.o.submit == submit_certainty::known);
  BOOST_TEST(h.o.remote_order_id == "JNUOID-2");
}

BOOST_AUTO_TEST_CASE(resend_refused_as_duplicate_lands_in_submit_unknown) {
  harness h = submitting_port_in();
  h.answer(transient(call_kind::submit_port_in, true, 500));
  h.fire();
  h.answer(refused(call_kind::submit_port_in, "duplicate_order", 409, "An active port-in exists"));
  BOOST_TEST(h.o.state == order_state::submit_unknown);
  BOOST_TEST(h.o.needs_attention());
  BOOST_TEST(!h.d.call.has_value());
  BOOST_TEST(h.o.remote_order_id.empty());
  // It waits for an operator: timers do nothing.
  h.step(timer_fired{});
  BOOST_TEST(!h.d.changed());
}

BOOST_AUTO_TEST_CASE(first_submit_refused_as_duplicate_fails) {
  harness h = submitting_port_in();
  h.answer(refused(call_kind::submit_port_in, "duplicate_order", 409, "An active port-in exists"));
  BOOST_TEST(h.o.state == order_state::failed, "not ambiguous: someone else's order");
  BOOST_TEST(h.o.needs_attention());
  BOOST_TEST(h.o.last_error->reason == "duplicate_order");
}

BOOST_AUTO_TEST_CASE(definite_refusals_fail) {
  for (int http : {400, 403, 404, 422}) {
    BOOST_TEST_CONTEXT("HTTP " << http) {
      harness h = submitting_port_in();
      h.answer(refused(call_kind::submit_port_in, http == 422 ? "business_rule" : "bad_request", http));
      BOOST_TEST(h.o.state == order_state::failed);
      BOOST_TEST(h.o.needs_attention());
      BOOST_TEST(h.last_of(event_type::state_changed)->message.find(std::to_string(http)) != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(exhausted_retries_fail_when_nothing_was_sent) {
  harness h = submitting_port_in();
  for (int i = 1; i < h.pol.retry.max_attempts_command; ++i) {
    h.answer(transient(call_kind::submit_port_in, false, 0));
    h.fire();
  }
  h.answer(transient(call_kind::submit_port_in, false, 0));
  BOOST_TEST(h.o.state == order_state::failed);
}

BOOST_AUTO_TEST_CASE(exhausted_retries_while_ambiguous_land_in_submit_unknown) {
  harness h = submitting_port_in();
  h.answer(transient(call_kind::submit_port_in, true, 502));
  h.fire();
  for (int i = 2; i < h.pol.retry.max_attempts_command; ++i) {
    h.answer(transient(call_kind::submit_port_in, false, 503));
    BOOST_TEST(h.o.state == order_state::submitting);
    h.fire();
  }
  h.answer(transient(call_kind::submit_port_in, false, 503));
  BOOST_TEST(h.o.state == order_state::submit_unknown, "an earlier attempt may have created an order");
  BOOST_TEST(h.o.needs_attention());
}

BOOST_AUTO_TEST_CASE(failed_after_an_ambiguous_submit_stays_careful) {
  harness h = submitting_port_in();
  h.answer(transient(call_kind::submit_port_in, true, 504));
  h.fire();
  h.answer(refused(call_kind::submit_port_in, "forbidden", 403));
  BOOST_TEST_REQUIRE(h.o.state == order_state::failed);
  BOOST_TEST(h.o.submit == submit_certainty::ambiguous, "the first POST may still have created an order");
  {
    harness c = h;
    c.step(cancel_cmd());
    BOOST_TEST(c.o.state == order_state::submit_unknown, "not a silent local cancel");
    c.step(cancel_cmd());
    BOOST_TEST(c.o.state == order_state::cancelled, "the operator's second cancel drops it");
  }
  // A retry resends under the duplicate guard.
  h.step(cmd_retry{op});
  h.answer(eligibility_answer(true));
  h.answer(refused(call_kind::submit_port_in, "duplicate_order", 409));
  BOOST_TEST(h.o.state == order_state::submit_unknown);
}

BOOST_AUTO_TEST_CASE(retry_after_from_429_is_respected_for_commands) {
  harness h = submitting_port_in();
  h.answer(transient(call_kind::submit_port_in, false, 429, 60s));
  BOOST_TEST_REQUIRE(h.d.wake_at.has_value());
  BOOST_TEST((*h.d.wake_at >= h.now + 60s));
  BOOST_TEST(h.o.last_error->reason == "rate_limited");
}

BOOST_AUTO_TEST_CASE(result_for_a_call_not_in_flight_changes_nothing) {
  harness h = submitted_port_in();
  h.step(submit_ok("JNUOID-other"));
  BOOST_TEST(!h.d.changed());
  BOOST_TEST(h.o.remote_order_id == "JNUOID-6c05");
  h.step(eligibility_answer(false));
  BOOST_TEST(h.o.state == order_state::submitted);
}

BOOST_AUTO_TEST_SUITE_END()
