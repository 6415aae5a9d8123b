// decide(): what a status poll does to an order (rule 4: remote status is data), poll errors
// and the poll cadence as decide() applies it.
#include "decide_harness.hpp"

using namespace decide_test;

BOOST_AUTO_TEST_SUITE(decide_status)

BOOST_AUTO_TEST_CASE(every_status_spelling_moves_the_order) {
  struct row {
    const char* status;
    order_state state;
  };
  const row rows[] = {
      {"Pending", order_state::submitted},
      {"Submitted", order_state::submitted},
      {"Pending Port In", order_state::submitted},
      {"Port Out Pending", order_state::submitted},
      {"Pending Carrier Approval", order_state::carrier_approval},
      {"InProgress", order_state::carrier_approval},
      {"Processing", order_state::carrier_approval},
      {"Approved", order_state::carrier_approval},
      {"Port Out Processing", order_state::carrier_approval},
      {"Scheduled", order_state::scheduled},
      {"Completed", order_state::completed},
      {"Complete", order_state::completed},
      {"Port Out Complete", order_state::completed},
      {"Rejected", order_state::rejected},
      {"ResolutionRequired", order_state::rejected},
      {"Port Out Rejected", order_state::rejected},
      {"Cancelled", order_state::cancelled},
      {"Canceled", order_state::cancelled},
      {"Error", order_state::rejected},
      {"Failed", order_state::rejected},
      {"pending_carrier_approval", order_state::carrier_approval},
      {"in-progress", order_state::carrier_approval},
      {"SCHEDULED", order_state::scheduled},
  };
  for (const auto& r : rows) {
    BOOST_TEST_CONTEXT(r.status) {
      harness h = submitted_port_in();
      poll_to(h, r.status);
      BOOST_TEST(h.o.state == r.state);
      BOOST_TEST(h.o.remote_status == r.status, "the raw string is kept beside the state");
      BOOST_TEST(h.o.needs_attention() == needs_operator(r.state));
      if (!is_terminal(r.state)) {
        BOOST_TEST_REQUIRE(h.d.wake_at.has_value(), "polling continues");
      } else {
        BOOST_TEST(h.o.secrets.empty());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(unknown_status_raises_attention_once_and_polling_continues) {
  harness h = submitted_port_in();
  poll_to(h, "Frobnicated");
  BOOST_TEST(h.o.state == order_state::submitted, "an unknown status moves nothing");
  BOOST_TEST(h.o.remote_status == "Frobnicated");
  BOOST_TEST(h.o.needs_attention());
  BOOST_TEST(h.o.attention_reason.find("Frobnicated") != std::string::npos);
  BOOST_TEST(h.count_in_last(event_type::needs_attention) == 1u);
  BOOST_TEST(h.count_in_last(event_type::remote_status_changed) == 1u);
  BOOST_TEST_REQUIRE(h.d.wake_at.has_value());

  for (int i = 0; i < 3; ++i) {
    poll_to(h, "Frobnicated");
    BOOST_TEST(h.d.events.empty(), "not raised again on every poll");
    BOOST_TEST(h.o.needs_attention());
    BOOST_TEST_REQUIRE(h.d.wake_at.has_value());
  }
  BOOST_TEST(h.count(event_type::needs_attention) == 1u);

  // A known status afterwards ends the alarm, in the same state or another.
  poll_to(h, "Pending");
  BOOST_TEST(h.o.state == order_state::submitted);
  BOOST_TEST(!h.o.needs_attention());
  BOOST_TEST(h.o.attention_reason.empty());
  poll_to(h, "Wibble");
  BOOST_TEST(h.o.needs_attention());
  poll_to(h, "Scheduled");
  BOOST_TEST(h.o.state == order_state::scheduled);
  BOOST_TEST(!h.o.needs_attention());
  BOOST_TEST(h.count(event_type::needs_attention) == 2u);
}

BOOST_AUTO_TEST_CASE(error_and_failed_reject_with_the_message) {
  for (const char* status : {"Error", "Failed"}) {
    BOOST_TEST_CONTEXT(status) {
      harness h = submitted_port_in();
      h.fire();
      h.answer(status_result(status, "1P-Other: account number mismatch"));
      BOOST_TEST(h.o.state == order_state::rejected);
      BOOST_TEST(h.o.needs_attention());
      BOOST_TEST(h.o.remote_message == "1P-Other: account number mismatch");
      BOOST_TEST(h.last_of(event_type::state_changed)->message == "1P-Other: account number mismatch");
      BOOST_TEST(h.o.attention_reason == "1P-Other: account number mismatch");
    }
  }
}

BOOST_AUTO_TEST_CASE(updated_is_only_an_acknowledgement) {
  harness h = submitted_port_in();
  poll_to(h, "InProgress");
  poll_to(h, "Updated");
  BOOST_TEST(h.o.state == order_state::carrier_approval);
  BOOST_TEST(h.count_in_last(event_type::state_changed) == 0u);
  BOOST_TEST(!h.o.needs_attention());
}

BOOST_AUTO_TEST_CASE(status_message_change_is_kept) {
  harness h = submitted_port_in();
  poll_to(h, "Rejected");
  h.fire();
  h.answer(status_result("Rejected", "6B: transfer PIN required"));
  BOOST_TEST(h.o.remote_message == "6B: transfer PIN required");
  BOOST_TEST(h.o.state == order_state::rejected);
}

BOOST_AUTO_TEST_CASE(poll_transient_errors_never_fail_the_order) {
  harness h = submitted_port_in();
  poll_to(h, "InProgress");
  for (int i = 1; i <= 3 * h.pol.retry.max_attempts_command; ++i) {
    h.fire();
    h.answer(transient(call_kind::status, false, i % 2 ? 503 : 0));
    BOOST_TEST_REQUIRE(h.o.state == order_state::carrier_approval);
    BOOST_TEST_REQUIRE(h.d.wake_at.has_value());
    BOOST_TEST((*h.d.wake_at <= h.now + h.pol.poll.carrier_approval), "never slower than the cadence");
  }
  BOOST_TEST(h.count(event_type::error) == 1u, "one error entry per outage, not one per poll");
  // Backoff: the first retries come quickly.
  harness q = submitted_port_in();
  q.fire();
  q.answer(transient(call_kind::status, false, 503));
  BOOST_TEST((*q.d.wake_at - q.now <= 2s));
  // And it recovers.
  h.fire();
  h.answer(status_result("Scheduled"));
  BOOST_TEST(h.o.state == order_state::scheduled);
  BOOST_TEST(h.o.attempts == 0);
}

BOOST_AUTO_TEST_CASE(poll_429_retry_after_is_respected) {
  for (milliseconds wait : {milliseconds{30s}, milliseconds{20min}, milliseconds{2h}}) {
    BOOST_TEST_CONTEXT(wait.count() << " ms") {
      harness h = submitted_port_in();
      h.fire();
      h.answer(transient(call_kind::status, false, 429, wait));
      BOOST_TEST_REQUIRE(h.d.wake_at.has_value());
      BOOST_TEST((*h.d.wake_at >= h.now + wait));
      BOOST_TEST(h.o.state == order_state::submitted);
    }
  }
}

BOOST_AUTO_TEST_CASE(poll_refused_raises_attention_and_keeps_polling) {
  harness h = submitted_port_in();
  h.fire();
  h.answer(refused(call_kind::status, "not_found", 404, "unknown order"));
  BOOST_TEST(h.o.state == order_state::submitted);
  BOOST_TEST(h.o.needs_attention());
  BOOST_TEST_REQUIRE(h.d.wake_at.has_value());
  poll_to(h, "Pending");
  BOOST_TEST(!h.o.needs_attention());
}

BOOST_AUTO_TEST_CASE(cadence_follows_the_state) {
  harness h = submitted_port_in();
  struct row {
    const char* status;
    milliseconds poll_policy::*cadence;
  };
  const row rows[] = {{"Pending", &poll_policy::submitted},
                      {"InProgress", &poll_policy::carrier_approval},
                      {"Scheduled", &poll_policy::scheduled},
                      {"Rejected", &poll_policy::rejected}};
  for (const auto& r : rows) {
    BOOST_TEST_CONTEXT(r.status) {
      poll_to(h, r.status);
      BOOST_TEST_REQUIRE(h.d.wake_at.has_value());
      BOOST_TEST((*h.d.wake_at - h.now == h.pol.poll.*r.cadence));
    }
  }
}

BOOST_AUTO_TEST_CASE(reported_port_date_is_recorded_and_pulls_the_poll) {
  harness h = submitted_port_in();
  h.fire();
  h.answer(status_result("Scheduled", "", "2026-11-28"));
  BOOST_TEST(h.o.reported_port_date == "2026-11-28");
  BOOST_TEST(h.count_in_last(event_type::port_date_changed) == 1u);
  BOOST_TEST(h.last_of(event_type::port_date_changed)->message.find("2026-11-28") != std::string::npos);
  // Next poll: scheduled cadence, but not past the date's start.
  h.now = *parse_time("2026-11-27T23:30:00.000Z");
  h.step(cmd_poll_now{op});
  h.answer(status_result("Scheduled", "", "2026-11-28"));
  BOOST_TEST(h.count_in_last(event_type::port_date_changed) == 0u, "same date: no new entry");
  BOOST_TEST_REQUIRE(h.d.wake_at.has_value());
  BOOST_TEST((*h.d.wake_at == *parse_time("2026-11-28T00:00:00.000Z")));
  // On the date, the close cadence.
  h.fire();
  h.answer(status_result("Scheduled", "", "2026-11-28"));
  BOOST_TEST((*h.d.wake_at - h.now == h.pol.poll.near_port_date));
}

BOOST_AUTO_TEST_CASE(secrets_never_reach_the_history_on_any_path) {
  // Every step of every harness already checks this; here the secrets are also changed and the
  // order driven through every end.
  harness h = submitted_port_in();
  poll_to(h, "Rejected");
  h.step(update_cmd(pin_patch()));
  h.answer(transient(call_kind::update));
  h.fire();
  h.answer(refused(call_kind::update));
  h.step(update_cmd(pin_patch(new_pin_canary + "2")));
  h.step(cmd_retry{op});
  h.answer(update_ok());
  h.step(cmd_note{"customer read out their PIN on the phone", op});
  poll_to(h, "Completed");
  BOOST_TEST(h.o.secrets.empty());
  for (const auto& e : h.history) {
    BOOST_TEST(e.message.find(pin_canary) == std::string::npos);
    BOOST_TEST(e.message.find(new_pin_canary) == std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
