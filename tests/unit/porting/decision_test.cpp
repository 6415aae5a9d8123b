// What a decision tells its driver besides the next order: the order.created record, the
// call's priority, whether the change must be durable, whether only a poll starts. And the
// attention an order carries is told by its kind, never by its message's wording.
#include "decide_harness.hpp"

using namespace decide_test;

namespace {

order polled_with(attention_kind kind, std::string reason) {
  harness h = submitted_port_in();
  h.fire();  // a poll is out
  order o = h.o;
  o.attention = kind;
  o.attention_reason = std::move(reason);
  return o;
}

decision poll_answer(const order& o, std::string status) {
  return decide(o, status_result(std::move(status)), t0() + 1h, policy{});
}

}  // namespace

BOOST_AUTO_TEST_SUITE(porting_decision)

BOOST_AUTO_TEST_CASE(start_brings_the_created_record_before_the_first_step) {
  const decision d = decide(make_port_in(), start{op}, t0(), policy{});
  BOOST_TEST_REQUIRE(d.created.has_value());
  BOOST_TEST(d.created->type == event_type::created);
  BOOST_TEST(d.created->actor == op);
  BOOST_TEST(d.created->message == "port-in of +18015551234 received");
  BOOST_TEST_REQUIRE(!d.events.empty());
  BOOST_TEST(d.events.front().type == event_type::state_changed, "the first step follows, apart");
  BOOST_TEST(decide(make_port_out(), start{op}, t0(), policy{}).created->message ==
             "port-out of +17746996223 received");
  harness h = submitted_port_in();
  BOOST_TEST(!h.fire().created.has_value(), "only start creates");
}

BOOST_AUTO_TEST_CASE(priority_puts_the_guarded_resend_first_then_commands_then_polls) {
  harness h(make_port_in());
  BOOST_TEST(h.step(start{op}).priority == call_priority::command);  // eligibility
  h.answer(eligibility_answer(true));
  BOOST_TEST(h.d.priority == call_priority::command);  // the first submission
  h.answer(transient(call_kind::submit_port_in, true, 503));
  BOOST_TEST_REQUIRE(h.d.wake_at.has_value());
  BOOST_TEST(h.d.priority == call_priority::guarded, "the wake-up leads to a guarded resend");
  BOOST_TEST(h.fire().priority == call_priority::guarded);
  BOOST_TEST(guarded_resend(h.o));
  h.answer(submit_ok());
  BOOST_TEST(!guarded_resend(h.o));

  BOOST_TEST(h.fire().priority == call_priority::poll);  // a routine poll
  h.answer(status_result("Pending"));
  BOOST_TEST(h.step(cmd_poll_now{op}).priority == call_priority::command, "an operator's poll");
  h.answer(status_result("Pending"));
  BOOST_TEST(h.step(cancel_cmd()).priority == call_priority::command);
}

BOOST_AUTO_TEST_CASE(durable_when_events_or_a_command_call_follow) {
  harness h = submitted_port_in();
  BOOST_TEST(!h.fire().durable, "a poll leaving needs no sync");
  BOOST_TEST(!h.answer(status_result("Pending")).durable, "nothing new: no event");
  h.fire();
  BOOST_TEST(h.answer(status_result("Scheduled")).durable, "an event is told after the commit");
  h.fire();
  BOOST_TEST(h.step(update_cmd(name_patch())).durable);
  h.answer(status_result("Scheduled"));
  BOOST_TEST(str(h.d.call) == "update");
  BOOST_TEST(h.d.events.empty());
  BOOST_TEST(h.d.durable, "rule 1: the update's intent is on disk before it leaves");
}

BOOST_AUTO_TEST_CASE(poll_only_when_nothing_but_the_poll_starts) {
  harness h = submitted_port_in();
  BOOST_TEST(h.fire().poll_only);
  h.answer(status_result("Pending"));
  BOOST_TEST(!h.step(cmd_poll_now{op}).poll_only, "an operator's poll is a command");
  h.answer(status_result("Pending"));

  order o = h.o;  // due, with a correction still to be sent: the update goes, not a poll
  o.pending = pending_intent::update;
  const decision d = decide(o, timer_fired{}, *o.next_check_at, policy{});
  BOOST_TEST(str(d.call) == "update");
  BOOST_TEST(!d.poll_only);

  harness c = submitted_port_in();  // in cancelling, the cancel is resent, not polled
  c.step(cancel_cmd());
  c.answer(transient(call_kind::cancel));
  BOOST_TEST(str(c.fire().call) == "cancel");
  BOOST_TEST(!c.d.poll_only);
}

BOOST_AUTO_TEST_CASE(a_good_poll_ends_the_alarms_of_its_kind_whatever_they_say) {
  // Reworded, or reading like another kind: the kind decides.
  BOOST_TEST(!poll_answer(polled_with(attention_kind::poll_refused, "Telegent would not say"), "Pending")
                  .next.needs_attention());
  BOOST_TEST(!poll_answer(polled_with(attention_kind::unknown_status, "odd status"), "Pending")
                  .next.needs_attention());
  const decision stale = poll_answer(polled_with(attention_kind::stale, "status poll refused: 403"), "Pending");
  BOOST_TEST(stale.next.attention == attention_kind::stale, "a stale alarm waits for a change of state");
  const decision refused =
      poll_answer(polled_with(attention_kind::cancel_refused, "Telegent reports a status portd does not know: \"X\""),
                  "Pending");
  BOOST_TEST(refused.next.attention == attention_kind::cancel_refused);
}

BOOST_AUTO_TEST_CASE(each_alarm_is_raised_with_its_kind) {
  harness h = submitted_port_in();
  poll_to(h, "Frobnicated");
  BOOST_TEST(h.o.attention == attention_kind::unknown_status);
  h.fire();
  h.answer(refused(call_kind::status, "forbidden", 403, "no"));
  BOOST_TEST(h.o.attention == attention_kind::poll_refused);
  h.fire();
  h.answer(status_result("Error", "6B: PIN mismatch"));
  BOOST_TEST(h.o.state == order_state::rejected);
  BOOST_TEST(h.o.attention == attention_kind::operator_state);

  harness c = submitted_port_in();
  c.step(cancel_cmd());
  c.answer(refused(call_kind::cancel, "conflict", 409, "already final"));
  BOOST_TEST(c.o.attention == attention_kind::cancel_refused);
  BOOST_TEST(c.o.pending == pending_intent::settle);
  c.answer(status_result("Pending"));
  BOOST_TEST(c.o.state == order_state::submitted);
  BOOST_TEST(c.o.attention == attention_kind::cancel_refused, "the order goes on there");
  BOOST_TEST(c.o.pending == pending_intent::none);
}

BOOST_AUTO_TEST_SUITE_END()
