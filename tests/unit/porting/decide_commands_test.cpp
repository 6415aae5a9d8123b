// decide(): operator commands (update, cancel, resolve, retry, poll, note) and rule 2 (one call
// in flight; a command that arrives meanwhile waits as an intent; cancel wins over an update).
#include "decide_harness.hpp"

using namespace decide_test;

namespace {

constexpr order_state all_states[] = {
    order_state::received,       order_state::checking_eligibility, order_state::ineligible,
    order_state::submitting,     order_state::submit_unknown,       order_state::issuing_pin,
    order_state::submitted,      order_state::carrier_approval,     order_state::scheduled,
    order_state::rejected,       order_state::cancelling,           order_state::cancelled,
    order_state::completed,      order_state::failed};

// An order sitting in `s` with nothing in flight (as it would be after its last call returned).
order resting_in(order_state s, bool remote = true) {
  order o = make_port_in();
  o.state = s;
  if (remote && s != order_state::received && s != order_state::checking_eligibility &&
      s != order_state::submitting && s != order_state::submit_unknown)
    o.remote_order_id = "JNUOID-6c05";
  if (is_terminal(s)) o.secrets = {};
  o.attention = needs_operator(s) ? attention_kind::operator_state : attention_kind::none;
  if (is_polled(s) || s == order_state::cancelling) o.next_check_at = t0() + 15min;
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(decide_one_call_in_flight)

BOOST_AUTO_TEST_CASE(timer_while_in_flight_does_nothing) {
  harness h(make_port_in());
  h.step(start{});
  h.step(timer_fired{});
  BOOST_TEST(!h.d.changed());
  BOOST_TEST(str(h.o.in_flight) == "eligibility");

  harness p = submitted_port_in();
  p.fire();
  BOOST_TEST(str(p.o.in_flight) == "status");
  p.step(timer_fired{});
  BOOST_TEST(!p.d.changed());
  p.step(cmd_poll_now{op});
  BOOST_TEST(!p.d.changed(), "poll-now while a poll is out starts no second call");
}

BOOST_AUTO_TEST_CASE(update_during_a_poll_is_sent_when_the_poll_returns) {
  harness h = submitted_port_in();
  poll_to(h, "Rejected");
  BOOST_TEST_REQUIRE(h.o.state == order_state::rejected);
  h.fire();
  BOOST_TEST(str(h.o.in_flight) == "status");

  h.step(update_cmd(pin_patch()));
  BOOST_TEST(h.o.pending == pending_intent::update);
  BOOST_TEST(!h.d.call.has_value());
  BOOST_TEST(h.o.secrets.account_pin == new_pin_canary);
  BOOST_TEST(h.count_in_last(event_type::updated) == 1u);
  BOOST_TEST(h.last_of(event_type::updated)->message.find("account_pin") != std::string::npos,
             "the history names the field, never its value");

  h.answer(status_result("Rejected"));
  BOOST_TEST(str(h.d.call) == "update", "the pending update goes out as soon as the poll returns");
  h.answer(update_ok());
  BOOST_TEST(h.o.pending != pending_intent::update);
  BOOST_TEST(h.o.state == order_state::submitted);
  BOOST_TEST(!h.o.needs_attention());
  BOOST_TEST_REQUIRE(h.d.wake_at.has_value());
  BOOST_TEST((*h.d.wake_at == h.now + h.pol.poll.first_after_submit));
}

BOOST_AUTO_TEST_CASE(cancel_during_an_update_wins) {
  harness h = submitted_port_in();
  poll_to(h, "Rejected");
  h.step(update_cmd(name_patch()));
  BOOST_TEST(str(h.d.call) == "update");

  h.step(cancel_cmd("customer changed their mind"));
  BOOST_TEST(h.o.state == order_state::cancelling);
  BOOST_TEST(h.o.pending == pending_intent::cancel);
  BOOST_TEST(h.o.pending != pending_intent::update);
  BOOST_TEST(!h.d.call.has_value());
  BOOST_TEST(str(h.o.in_flight) == "update");

  h.answer(update_ok());
  BOOST_TEST(h.o.state == order_state::cancelling);
  BOOST_TEST(str(h.d.call) == "cancel");
  h.answer(cancel_ok());
  BOOST_TEST(h.o.state == order_state::cancelled);
  BOOST_TEST(h.last_of(event_type::state_changed)->message.find("customer changed their mind") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(cancel_during_an_update_wins_whatever_the_update_answers) {
  for (const api_result& r : {transient(call_kind::update), refused(call_kind::update)}) {
    BOOST_TEST_CONTEXT(r.outcome) {
      harness h = submitted_port_in();
      h.step(update_cmd(name_patch()));
      BOOST_TEST_REQUIRE(str(h.d.call) == "update");
      h.step(cancel_cmd());
      h.answer(r);
      BOOST_TEST(h.o.state == order_state::cancelling);
      BOOST_TEST(str(h.d.call) == "cancel");
    }
  }
}

BOOST_AUTO_TEST_CASE(cancel_during_a_poll_is_sent_when_the_poll_returns) {
  for (const api_result& r : {status_result("InProgress"), transient(call_kind::status), refused(call_kind::status, "not_found", 404)}) {
    BOOST_TEST_CONTEXT(r.outcome) {
      harness h = submitted_port_in();
      h.fire();
      h.step(cancel_cmd());
      BOOST_TEST(h.o.state == order_state::cancelling);
      BOOST_TEST(!h.d.call.has_value());
      h.answer(r);
      BOOST_TEST(str(h.d.call) == "cancel");
    }
  }
}

BOOST_AUTO_TEST_CASE(cancel_while_submit_in_flight_then_submit_accepted) {
  harness h(make_port_in());
  h.step(start{});
  h.answer(eligibility_answer(true));
  BOOST_TEST_REQUIRE(str(h.o.in_flight) == "submit_port_in");

  h.step(cancel_cmd("wrong number"));
  BOOST_TEST(h.o.pending == pending_intent::cancel);
  BOOST_TEST(h.o.state == order_state::submitting, "the submit may still create an order");
  BOOST_TEST(!h.d.call.has_value());

  h.answer(submit_ok("JNUOID-9"));
  BOOST_TEST(h.o.remote_order_id == "JNUOID-9");
  BOOST_TEST(h.o.state == order_state::cancelling);
  BOOST_TEST(str(h.d.call) == "cancel");
  h.answer(cancel_ok());
  BOOST_TEST(h.o.state == order_state::cancelled);
  const std::vector<std::string> expected{"received>checking_eligibility", "checking_eligibility>submitting",
                                          "submitting>submitted", "submitted>cancelling",
                                          "cancelling>cancelled"};
  BOOST_TEST(h.transitions() == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(cancel_while_submit_in_flight_then_submit_refused) {
  harness h(make_port_in());
  h.step(start{});
  h.answer(eligibility_answer(true));
  h.step(cancel_cmd());
  h.answer(refused(call_kind::submit_port_in, "bad_request", 400));
  BOOST_TEST(h.o.state == order_state::cancelled, "nothing exists at Telegent: cancelled locally");
  BOOST_TEST(!h.d.call.has_value());
}

BOOST_AUTO_TEST_CASE(cancel_while_submit_in_flight_then_transient_before_sending) {
  harness h(make_port_in());
  h.step(start{});
  h.answer(eligibility_answer(true));
  h.step(cancel_cmd());
  h.answer(transient(call_kind::submit_port_in, false, 0));
  BOOST_TEST(h.o.state == order_state::cancelled);
}

BOOST_AUTO_TEST_CASE(cancel_while_submit_in_flight_then_ambiguous) {
  harness h(make_port_in());
  h.step(start{});
  h.answer(eligibility_answer(true));
  h.step(cancel_cmd());
  h.answer(transient(call_kind::submit_port_in, true, 504));
  BOOST_TEST(h.o.state == order_state::submit_unknown,
             "an order may exist that only its OrderId can cancel: an operator decides");
  // The operator can still cancel locally.
  h.step(cancel_cmd("give up"));
  BOOST_TEST(!h.d.refused.has_value());
  BOOST_TEST(h.o.state == order_state::cancelled);
}

BOOST_AUTO_TEST_CASE(cancel_while_waiting_to_resend_an_ambiguous_submit) {
  harness h(make_port_in());
  h.step(start{});
  h.answer(eligibility_answer(true));
  h.answer(transient(call_kind::submit_port_in, true, 504));
  BOOST_TEST_REQUIRE(h.o.state == order_state::submitting);
  BOOST_TEST_REQUIRE(!h.o.in_flight.has_value());
  h.step(cancel_cmd());
  BOOST_TEST(h.o.state == order_state::submit_unknown,
             "not 'cancelled before anything reached Telegent': the first POST may have");
  BOOST_TEST(h.o.needs_attention());
  h.step(cmd_resolve{"JNUOID-found", false, op});
  h.answer(status_result("Pending"));
  BOOST_TEST(str(h.d.call) == "cancel");
}

BOOST_AUTO_TEST_CASE(cancel_while_an_ambiguous_submit_is_resent_then_refused) {
  harness h(make_port_in());
  h.step(start{});
  h.answer(eligibility_answer(true));
  h.answer(transient(call_kind::submit_port_in, true, 504));
  h.fire();
  BOOST_TEST_REQUIRE(str(h.o.in_flight) == "submit_port_in");
  h.step(cancel_cmd());
  h.answer(refused(call_kind::submit_port_in, "forbidden", 403));
  BOOST_TEST(h.o.state == order_state::submit_unknown, "the first POST may have created an order");
  BOOST_TEST(h.o.pending == pending_intent::cancel);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(decide_cancel)

BOOST_AUTO_TEST_CASE(before_anything_reached_telegent_cancels_locally) {
  harness h(make_port_in());
  h.step(cancel_cmd("dup"));
  BOOST_TEST(h.o.state == order_state::cancelled);
  BOOST_TEST(!h.d.call.has_value());
  BOOST_TEST(h.o.secrets.empty());

  harness e(make_port_in());
  e.step(start{});
  BOOST_TEST_REQUIRE(str(e.o.in_flight) == "eligibility");
  e.step(cancel_cmd());
  BOOST_TEST(e.o.state == order_state::cancelled);
  BOOST_TEST(!e.o.in_flight.has_value());
  // The eligibility answer that arrives later changes nothing.
  e.step(eligibility_answer(true));
  BOOST_TEST(!e.d.changed());
  BOOST_TEST(e.o.state == order_state::cancelled);
}

BOOST_AUTO_TEST_CASE(after_submit_calls_telegent_cancel) {
  for (const char* status : {"Pending", "InProgress", "Scheduled", "Rejected"}) {
    BOOST_TEST_CONTEXT(status) {
      harness h = submitted_port_in();
      poll_to(h, status);
      h.step(cancel_cmd("no longer needed"));
      BOOST_TEST(h.o.state == order_state::cancelling);
      BOOST_TEST(str(h.d.call) == "cancel");
      BOOST_TEST(!h.o.needs_attention());
      h.answer(cancel_ok());
      BOOST_TEST(h.o.state == order_state::cancelled);
      BOOST_TEST(h.o.secrets.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(cancel_is_idempotent_while_cancelling) {
  harness h = submitted_port_in();
  h.step(cancel_cmd());
  h.step(cancel_cmd());
  BOOST_TEST(!h.d.refused.has_value());
  BOOST_TEST(!h.d.changed());
}

BOOST_AUTO_TEST_CASE(cancel_refused_checks_the_status_once_and_settles_on_it) {
  struct row {
    const char* status;
    order_state settles;
    bool attention;
  };
  for (const row r : {row{"Completed", order_state::completed, false}, row{"Cancelled", order_state::cancelled, false},
                      row{"Rejected", order_state::rejected, true}, row{"Pending", order_state::submitted, true},
                      row{"Scheduled", order_state::scheduled, true}}) {
    BOOST_TEST_CONTEXT(r.status) {
      harness h = submitted_port_in();
      h.step(cancel_cmd());
      h.answer(refused(call_kind::cancel, "duplicate_order", 409, "the order cannot be cancelled"));
      BOOST_TEST(h.o.state == order_state::cancelling);
      BOOST_TEST(h.o.pending == pending_intent::settle);
      BOOST_TEST(h.o.needs_attention());
      BOOST_TEST(h.count_in_last(event_type::needs_attention) == 1u);
      BOOST_TEST(str(h.d.call) == "status", "one status check, not the cancel again");
      h.answer(status_result(r.status));
      BOOST_TEST(h.o.state == r.settles);
      BOOST_TEST(h.o.pending != pending_intent::settle);
      BOOST_TEST(h.o.needs_attention() == r.attention);
      if (r.attention) BOOST_TEST(contains(h.o.attention_reason, "cancel"), h.o.attention_reason);
      if (!is_terminal(r.settles)) {
        BOOST_TEST_REQUIRE(h.o.next_check_at.has_value(), "an open order goes on being polled");
        h.fire();
        BOOST_TEST(str(h.d.call) == "status");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(cancel_of_an_order_telegent_does_not_know_needs_a_human) {
  for (auto r : {refused(call_kind::cancel, "not_found", 404, "HTTP 404"),
                 refused(call_kind::cancel, "not_found", 400, "GENS-0041 No Port-In request found")}) {
    BOOST_TEST_CONTEXT(r.message) {
      harness h = submitted_port_in();
      h.step(cancel_cmd());
      h.answer(r);
      BOOST_TEST(h.o.state == order_state::failed);
      BOOST_TEST(h.o.needs_attention());
      BOOST_TEST(contains(h.o.attention_reason, "does not know order JNUOID-6c05"), h.o.attention_reason);
      BOOST_TEST(contains(h.o.attention_reason, r.message), h.o.attention_reason);
      BOOST_TEST(!h.d.call.has_value());
      h.step(cmd_close{"Telegent support confirmed the order is gone", op});
      BOOST_TEST(h.o.state == order_state::closed, "and it has an exit");
    }
  }
}

BOOST_AUTO_TEST_CASE(check_after_a_refused_cancel_survives_poll_trouble) {
  harness h = submitted_port_in();
  h.step(cancel_cmd());
  h.answer(refused(call_kind::cancel, "duplicate_order", 409));
  h.answer(transient(call_kind::status, false, 503));
  h.fire();
  BOOST_TEST(str(h.d.call) == "status", "still checking, not resending the refused cancel");
  h.answer(status_result("Frobnicated"));
  BOOST_TEST(h.o.state == order_state::cancelling);
  BOOST_TEST(contains(h.o.attention_reason, "Frobnicated"));
  h.fire();
  BOOST_TEST(str(h.d.call) == "status");
  h.answer(refused(call_kind::status, "not_found", 404));
  BOOST_TEST(h.o.state == order_state::failed, "Telegent knows no such order: a human decides");
  BOOST_TEST(contains(h.o.attention_reason, "does not know"));
}

BOOST_AUTO_TEST_CASE(the_refused_cancel_is_a_field_not_a_message) {
  // An order whose attention reason merely reads like a refusal is not treated as one.
  harness h = submitted_port_in();
  h.step(cancel_cmd());
  h.o.attention = attention_kind::cancel_refused;
  h.o.attention_reason = "Telegent refused the cancel: reworded";
  h.answer(transient(call_kind::cancel, true, 503));
  h.fire();
  BOOST_TEST(str(h.d.call) == "cancel", "no refusal recorded: the cancel is resent");
}

BOOST_AUTO_TEST_CASE(cancelling_then_completed_completes) {
  harness h = submitted_port_in();
  h.step(cancel_cmd());
  h.answer(refused(call_kind::cancel, "business_rule", 422, "too late"));
  h.answer(status_result("Completed"));
  BOOST_TEST(h.o.state == order_state::completed);
  BOOST_TEST(h.o.secrets.empty());
}

BOOST_AUTO_TEST_CASE(cancel_transient_is_retried_with_backoff) {
  harness h = submitted_port_in();
  h.step(cancel_cmd());
  h.answer(transient(call_kind::cancel, true, 503));
  BOOST_TEST(h.o.state == order_state::cancelling);
  BOOST_TEST_REQUIRE(h.d.wake_at.has_value());
  BOOST_TEST((*h.d.wake_at - h.now <= 2s), "the cancel is retried after a short backoff, not at the poll cadence");
  h.fire();
  BOOST_TEST(str(h.d.call) == "cancel");
  h.answer(cancel_ok());
  BOOST_TEST(h.o.state == order_state::cancelled);
}

BOOST_AUTO_TEST_CASE(poll_now_during_a_cancel_retry_does_not_delay_the_cancel) {
  harness h = submitted_port_in();
  h.step(cancel_cmd());
  h.answer(transient(call_kind::cancel, false, 503));
  h.step(cmd_poll_now{op});
  BOOST_TEST_REQUIRE(str(h.d.call) == "status");
  h.answer(status_result("Pending"));
  BOOST_TEST(h.o.state == order_state::cancelling);
  BOOST_TEST(str(h.d.call) == "cancel", "the cancel still owed goes out, not a poll in 6 h");
}

BOOST_AUTO_TEST_CASE(cancel_of_a_terminal_order_is_refused) {
  for (order_state s : {order_state::ineligible, order_state::cancelled, order_state::completed}) {
    BOOST_TEST_CONTEXT(s) {
      harness h(resting_in(s));
      h.step(cancel_cmd());
      BOOST_TEST_REQUIRE(h.d.refused.has_value());
      BOOST_TEST((h.d.refused->kind == refusal_kind::invalid_state));
    }
  }
}

BOOST_AUTO_TEST_CASE(cancel_from_operator_states) {
  {
    harness h(resting_in(order_state::failed, /*remote=*/false));
    h.step(cancel_cmd());
    BOOST_TEST(h.o.state == order_state::cancelled);
  }
  {
    harness h(resting_in(order_state::failed, /*remote=*/true));
    h.step(cancel_cmd());
    BOOST_TEST(h.o.state == order_state::cancelling);
    BOOST_TEST(str(h.d.call) == "cancel");
  }
  {
    harness h(resting_in(order_state::submit_unknown));
    h.step(cancel_cmd());
    BOOST_TEST(h.o.state == order_state::cancelled);
    BOOST_TEST(h.last_of(event_type::state_changed)->message.find("may still hold") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(remote_cancellation_is_followed) {
  harness h = submitted_port_in();
  poll_to(h, "Canceled");
  BOOST_TEST(h.o.state == order_state::cancelled);
  BOOST_TEST(h.last_of(event_type::state_changed)->actor == "telegent");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(decide_update)

BOOST_AUTO_TEST_CASE(allowed_only_in_the_documented_states) {
  const std::vector<order_state> allowed{order_state::received,         order_state::submitted,
                                         order_state::carrier_approval, order_state::scheduled,
                                         order_state::rejected,         order_state::failed};
  for (order_state s : all_states) {
    BOOST_TEST_CONTEXT(s) {
      harness h(resting_in(s));
      h.step(update_cmd(name_patch()));
      const bool ok = std::find(allowed.begin(), allowed.end(), s) != allowed.end();
      BOOST_TEST(!h.d.refused.has_value() == ok);
      if (h.d.refused) {
        BOOST_TEST((h.d.refused->kind == refusal_kind::invalid_state));
      } else {
        BOOST_TEST(h.o.details.subscriber_name == "Jane Q. Doe");
        BOOST_TEST(h.count_in_last(event_type::updated) == 1u);
        // Telegent holds a live order: the correction goes to it at once.
        BOOST_TEST(str(h.d.call) == (is_polled(s) ? "update" : "none"));
        BOOST_TEST(h.o.state == s, "the update call itself moves nothing yet");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(empty_patch_is_invalid_params) {
  harness h = submitted_port_in();
  h.step(update_cmd(order_patch{}));
  BOOST_TEST_REQUIRE(h.d.refused.has_value());
  BOOST_TEST((h.d.refused->kind == refusal_kind::invalid_params));
}

BOOST_AUTO_TEST_CASE(port_out_has_nothing_to_update) {
  harness h = submitted_port_out();
  h.step(update_cmd(name_patch()));
  BOOST_TEST_REQUIRE(h.d.refused.has_value());
}

BOOST_AUTO_TEST_CASE(every_field_of_the_patch_applies) {
  harness h(resting_in(order_state::received));
  order_patch p;
  p.carrier = "AT&T";
  p.account_number = "99998888";
  p.account_pin = new_pin_canary;
  p.subscriber_name = "J. Doe";
  p.iccid = "8901240397190195850";
  p.classification = "iot";
  p.port_in_date = "2026-12-03";
  p.billing_address = billing_address{"2 Side St", "Apt 3", "Provo", "UT", "84601"};
  h.step(update_cmd(p));
  BOOST_TEST(h.o.details.carrier == "AT&T");
  BOOST_TEST(h.o.details.account_number == "99998888");
  BOOST_TEST(h.o.secrets.account_pin == new_pin_canary);
  BOOST_TEST(h.o.details.subscriber_name == "J. Doe");
  BOOST_TEST(h.o.details.iccid == "8901240397190195850");
  BOOST_TEST(h.o.details.classification == "iot");
  BOOST_TEST(h.o.details.port_in_date == "2026-12-03");
  BOOST_TEST(h.o.details.billing_address.city == "Provo");
  BOOST_TEST(!h.d.call.has_value(), "nothing at Telegent yet: the submit will carry it");
}

BOOST_AUTO_TEST_CASE(rejected_then_update_then_submitted) {
  harness h = submitted_port_in();
  poll_to(h, "Rejected");
  BOOST_TEST(h.o.needs_attention());
  h.step(update_cmd(pin_patch()));
  BOOST_TEST(str(h.d.call) == "update");
  h.answer(update_ok());
  BOOST_TEST(h.o.state == order_state::submitted);
  BOOST_TEST(!h.o.needs_attention());
  BOOST_TEST(h.o.pending != pending_intent::update);
  // Polling resumes.
  h.fire();
  BOOST_TEST(str(h.d.call) == "status");
  h.answer(status_result("Pending"));
  BOOST_TEST(h.o.state == order_state::submitted);
}

BOOST_AUTO_TEST_CASE(update_refused_fails) {
  harness h = submitted_port_in();
  poll_to(h, "Rejected");
  h.step(update_cmd(pin_patch()));
  h.answer(refused(call_kind::update, "bad_request", 400, "$.CurrentAccountPassword is invalid"));
  BOOST_TEST(h.o.state == order_state::failed);
  BOOST_TEST(h.o.needs_attention());
  BOOST_TEST(h.o.pending != pending_intent::update);
}

BOOST_AUTO_TEST_CASE(update_transient_is_retried_with_backoff) {
  harness h = submitted_port_in();
  poll_to(h, "Rejected");
  h.step(update_cmd(pin_patch()));
  h.answer(transient(call_kind::update, false, 503));
  BOOST_TEST(!h.d.call.has_value(), "not resent at once: it backs off");
  BOOST_TEST_REQUIRE(h.d.wake_at.has_value());
  BOOST_TEST((*h.d.wake_at - h.now <= 2s));
  h.fire();
  BOOST_TEST(str(h.d.call) == "update");
  h.answer(update_ok());
  BOOST_TEST(h.o.state == order_state::submitted);
}

BOOST_AUTO_TEST_CASE(failed_polls_do_not_use_up_the_updates_retries) {
  harness h = submitted_port_in();
  poll_to(h, "Rejected");
  for (int i = 0; i < 2 * h.pol.retry.max_attempts_command; ++i) {
    h.fire();
    h.answer(transient(call_kind::status, false, 503));
  }
  h.step(update_cmd(pin_patch()));
  BOOST_TEST_REQUIRE(str(h.d.call) == "update");
  h.answer(transient(call_kind::update, false, 503));
  BOOST_TEST(h.o.state == order_state::rejected, "one failed update is retried, not given up on");
  BOOST_TEST(h.o.attempts == 1);
  h.fire();
  h.answer(update_ok());
  BOOST_TEST(h.o.state == order_state::submitted);
}

BOOST_AUTO_TEST_CASE(second_update_while_the_first_is_out_is_not_lost) {
  harness h = submitted_port_in();
  poll_to(h, "Rejected");
  h.step(update_cmd(name_patch("First Fix")));
  BOOST_TEST_REQUIRE(str(h.d.call) == "update");
  h.step(update_cmd(pin_patch()));
  BOOST_TEST(!h.d.call.has_value());
  h.answer(update_ok());
  BOOST_TEST(str(h.d.call) == "update", "the second correction still has to reach Telegent");
  h.answer(update_ok());
  BOOST_TEST(h.o.pending != pending_intent::update);
  BOOST_TEST(h.o.state == order_state::submitted);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(decide_retry_resolve)

BOOST_AUTO_TEST_CASE(retry_only_from_failed) {
  for (order_state s : all_states) {
    if (s == order_state::failed) continue;
    BOOST_TEST_CONTEXT(s) {
      harness h(resting_in(s));
      h.step(cmd_retry{op});
      BOOST_TEST_REQUIRE(h.d.refused.has_value());
      BOOST_TEST((h.d.refused->kind == refusal_kind::invalid_state));
    }
  }
}

BOOST_AUTO_TEST_CASE(retry_without_remote_order_starts_over) {
  harness h(make_port_in());
  h.step(start{});
  h.answer(refused(call_kind::eligibility, "bad_request", 400));
  BOOST_TEST_REQUIRE(h.o.state == order_state::failed);
  h.step(update_cmd(name_patch()));
  h.step(cmd_retry{op});
  BOOST_TEST(h.o.state == order_state::checking_eligibility);
  BOOST_TEST(str(h.d.call) == "eligibility");
  BOOST_TEST(!h.o.needs_attention());
  BOOST_TEST(!h.o.last_error.has_value());
  BOOST_TEST(h.last_of(event_type::state_changed)->actor == op);
  h.answer(eligibility_answer(true));
  h.answer(submit_ok());
  BOOST_TEST(h.o.state == order_state::submitted);
}

BOOST_AUTO_TEST_CASE(retry_without_remote_order_skipping_eligibility) {
  order o = make_port_in();
  o.skip_eligibility = true;
  harness h(o);
  h.step(start{});
  h.answer(refused(call_kind::submit_port_in, "business_rule", 422));
  BOOST_TEST_REQUIRE(h.o.state == order_state::failed);
  h.step(cmd_retry{op});
  BOOST_TEST(h.o.state == order_state::submitting);
  BOOST_TEST(str(h.d.call) == "submit_port_in");
}

BOOST_AUTO_TEST_CASE(retry_with_remote_order_resends_the_details) {
  harness h = submitted_port_in();
  poll_to(h, "Rejected");
  h.step(update_cmd(pin_patch()));
  h.answer(refused(call_kind::update, "bad_request", 400));
  BOOST_TEST_REQUIRE(h.o.state == order_state::failed);
  h.step(update_cmd(pin_patch("4321")));
  BOOST_TEST(!h.d.call.has_value(), "in failed the correction waits for retry");
  h.step(cmd_retry{op});
  BOOST_TEST(str(h.d.call) == "update");
  BOOST_TEST(!h.o.needs_attention());
  h.answer(update_ok());
  BOOST_TEST(h.o.state == order_state::submitted);
  BOOST_TEST_REQUIRE(h.d.wake_at.has_value());
}

BOOST_AUTO_TEST_CASE(retry_while_a_poll_is_out_waits_for_it) {
  harness h = submitted_port_in();
  poll_to(h, "Rejected");
  h.step(update_cmd(pin_patch()));
  h.answer(refused(call_kind::update));
  BOOST_TEST_REQUIRE(h.o.state == order_state::failed);
  h.step(cmd_poll_now{op});
  BOOST_TEST_REQUIRE(str(h.o.in_flight) == "status");
  h.step(cmd_retry{op});
  BOOST_TEST(!h.d.call.has_value(), "one call in flight (rule 2)");
  BOOST_TEST(h.o.pending == pending_intent::update);
  h.answer(status_result("Rejected"));
  BOOST_TEST(str(h.d.call) == "update");
  h.answer(update_ok());
  BOOST_TEST(h.o.state == order_state::submitted);
}

BOOST_AUTO_TEST_CASE(resolve_only_in_submit_unknown) {
  for (order_state s : all_states) {
    if (s == order_state::submit_unknown) continue;
    BOOST_TEST_CONTEXT(s) {
      harness h(resting_in(s));
      h.step(cmd_resolve{"JNUOID-x", false, op});
      BOOST_TEST_REQUIRE(h.d.refused.has_value());
      BOOST_TEST((h.d.refused->kind == refusal_kind::invalid_state));
    }
  }
}

BOOST_AUTO_TEST_CASE(resolve_adopt_polls_the_adopted_order) {
  harness h(resting_in(order_state::submit_unknown));
  h.step(cmd_resolve{"JNUOID-adopted", false, op});
  BOOST_TEST(h.o.state == order_state::submitted);
  BOOST_TEST(h.o.remote_order_id == "JNUOID-adopted");
  BOOST_TEST(str(h.d.call) == "status");
  BOOST_TEST(!h.o.needs_attention());
  h.answer(status_result("Scheduled"));
  BOOST_TEST(h.o.state == order_state::scheduled);
}

BOOST_AUTO_TEST_CASE(resolve_resubmit_submits_again) {
  harness h(resting_in(order_state::submit_unknown));
  h.step(cmd_resolve{"", true, op});
  BOOST_TEST(h.o.state == order_state::submitting);
  BOOST_TEST(str(h.d.call) == "submit_port_in");
  h.answer(submit_ok());
  BOOST_TEST(h.o.state == order_state::submitted);

  order out = make_port_out();
  out.state = order_state::submit_unknown;
  out.attention = attention_kind::operator_state;
  harness p(out);
  p.step(cmd_resolve{"", true, op});
  BOOST_TEST(p.o.state == order_state::issuing_pin);
  BOOST_TEST(str(p.d.call) == "submit_port_out");
}

BOOST_AUTO_TEST_CASE(resolve_needs_exactly_one_of_adopt_or_resubmit) {
  harness h(resting_in(order_state::submit_unknown));
  h.step(cmd_resolve{"", false, op});
  BOOST_TEST_REQUIRE(h.d.refused.has_value());
  BOOST_TEST((h.d.refused->kind == refusal_kind::invalid_params));
  h.step(cmd_resolve{"JNUOID-1", true, op});
  BOOST_TEST_REQUIRE(h.d.refused.has_value());
  BOOST_TEST((h.d.refused->kind == refusal_kind::invalid_params));
}

BOOST_AUTO_TEST_CASE(resolve_after_cancel_requested_cancels_the_adopted_order) {
  harness h(make_port_in());
  h.step(start{});
  h.answer(eligibility_answer(true));
  h.step(cancel_cmd());
  h.answer(transient(call_kind::submit_port_in, true, 504));
  BOOST_TEST_REQUIRE(h.o.state == order_state::submit_unknown);
  h.step(cmd_resolve{"JNUOID-found", false, op});
  h.answer(status_result("Pending"));
  BOOST_TEST(h.o.state == order_state::cancelling, "the cancel the operator asked for is carried out");
  BOOST_TEST(str(h.d.call) == "cancel");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(decide_poll_note)

BOOST_AUTO_TEST_CASE(poll_now_polls_at_once) {
  harness h = submitted_port_in();
  h.step(cmd_poll_now{op});
  BOOST_TEST(str(h.d.call) == "status");
  h.answer(status_result("Scheduled"));
  BOOST_TEST(h.o.state == order_state::scheduled);
}

BOOST_AUTO_TEST_CASE(poll_now_in_failed_follows_telegent) {
  harness h = submitted_port_in();
  poll_to(h, "Rejected");
  h.step(update_cmd(pin_patch()));
  h.answer(refused(call_kind::update));
  BOOST_TEST_REQUIRE(h.o.state == order_state::failed);
  h.step(cmd_poll_now{op});
  BOOST_TEST(str(h.d.call) == "status");
  h.answer(status_result("Completed"));
  BOOST_TEST(h.o.state == order_state::completed, "the number is ours whatever portd thought");
}

BOOST_AUTO_TEST_CASE(poll_now_without_a_remote_order_is_refused) {
  harness h(make_port_in());
  h.step(cmd_poll_now{op});
  BOOST_TEST_REQUIRE(h.d.refused.has_value());
  harness c(resting_in(order_state::completed));
  c.step(cmd_poll_now{op});
  BOOST_TEST_REQUIRE(c.d.refused.has_value());
}

BOOST_AUTO_TEST_CASE(note_is_kept_in_the_history) {
  harness h = submitted_port_in();
  h.step(cmd_note{"called the carrier", op});
  BOOST_TEST(h.count_in_last(event_type::note_added) == 1u);
  BOOST_TEST(h.d.events.at(0).message == "called the carrier");
  BOOST_TEST(h.d.events.at(0).actor == op);
  BOOST_TEST(h.o.state == order_state::submitted);
  h.step(cmd_note{"", op});
  BOOST_TEST_REQUIRE(h.d.refused.has_value());
  BOOST_TEST((h.d.refused->kind == refusal_kind::invalid_params));
}

BOOST_AUTO_TEST_SUITE_END()
