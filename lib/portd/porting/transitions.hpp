// The order state machine as data: one table per order kind, state × trigger → named guard →
// next state and the call to start, and the guards as predicates. decide() reads it (find_row);
// the state diagram of docs/STATES.md is generated from it (tools/transitions), and
// tests/unit/porting/transitions_test.cpp holds it to the test's own copy and decide() to it
// both ways: every row is a step decide() takes, and every step decide() takes is a row.
#pragma once
#include <portd/porting/event.hpp>
#include <portd/porting/policy.hpp>

#include <optional>
#include <span>
#include <string_view>

namespace portd::porting {

// What moves an order. An answer is the answer to the call out, by its class.
enum class trigger : std::uint8_t {
  start,      // the order was accepted
  timer,      // its time came (poll due, retry due)
  recovered,  // portd restarted
  // operator commands (order.note changes no state)
  update,
  cancel,
  resolve_adopt,
  resolve_resubmit,
  retry,
  poll,
  close,
  // the answer to the call out
  ok,
  transient,
  refused,
};
std::string_view to_string(trigger);
std::ostream& operator<<(std::ostream&, trigger);

// The trigger an input is, with the call it answers (answers only); none for order.note.
struct trigger_of_input {
  trigger on = trigger::timer;
  std::optional<call_kind> answers;
};
std::optional<trigger_of_input> trigger_of(const input&);

// The condition under which a row applies, by name; holds() evaluates each one on the order as
// the input leaves it before the row is applied (a lost call cleared, an answer's
// counters and a submission's ambiguity marked). Of the rows of one state, trigger and answered
// call, the first whose guard holds applies, and `otherwise` when none of the others does.
enum class guard : std::uint8_t {
  always,
  otherwise,
  idle,                              // no call is out (else the command waits for it)
  call_out,                          // a call is out: the command's call follows it
  checks_eligibility,                // a port-in that checks eligibility first
  skips_eligibility,                 // a port-in submitted without the check
  eligible,
  not_eligible,
  cancel_pending,                    // a cancel waits to be sent (and the answer ends nothing)
  update_pending,                    // a correction waits to be sent to an order that is polled
  settling,                          // Telegent refused our cancel: one status check settles it
  reports_end,                       // the status answer reports an end state
  not_at_telegent,                   // no Telegent order, and no submission out
  not_at_telegent_skip_eligibility,  // the same, for a port-in that skips the check
  maybe_created,                     // a cancel meets a submission that may have created an order
  may_have_reached,                  // a port-out submission may have reached Telegent
  resend_window_passed,              // the first ambiguous submission is older than the resend window
  duplicate_after_ambiguous,         // refused as a duplicate after an ambiguous submission
  unknown_at_telegent,               // Telegent does not know the order (404, GENS-0041)
  settling_unknown,                  // the same, for the check after a refused cancel
  attempts_exhausted,                // the command's retries are used up
  gave_up_maybe_created,             // the same, and an earlier attempt may have created an order
};
std::string_view to_string(guard);
std::string_view describe(guard);  // the condition as a phrase, for the generated diagram
std::ostream& operator<<(std::ostream&, guard);

// One row: in `from`, on `on` (answering `answers`), when `when` holds, the order moves to
// `to` (nullopt: the state a status answer reports; the same where it reports none) and starts
// `call`. A trigger
// that no row names for a state changes no state and starts no call: it may schedule the next
// check, record history, or be refused (a command not allowed in that state).
struct transition {
  order_state from = order_state::received;
  trigger on = trigger::timer;
  std::optional<call_kind> answers;
  guard when = guard::always;
  std::optional<order_state> to;
  std::optional<call_kind> call;
  bool operator==(const transition&) const = default;
};

// The table of an order kind, grouped by state in lifecycle order: the rows both kinds share
// and the kind's own, in one array built at compile time.
std::span<const transition> transitions(order_kind);

// What the guards look at: the order as the input found it (`before`) and as the input's own
// bookkeeping left it (`after`: a lost call cleared, an answer's counters and a submission's
// ambiguity marked), the input, and the time and policy of the decision.
struct situation {
  const order& before;
  const order& after;
  const input& in;
  time_point now;
  const policy& pol;
};

// Whether the guard holds in the situation (every guard a row names is decided here).
bool holds(guard, const situation&);

// The row the situation takes: of the rows for the order's state, the input's trigger and the
// call it answers, the first whose guard holds, else the `otherwise` row; nullptr when none
// applies (the input changes no state and starts no call).
const transition* find_row(const situation&);

// The state an ok status answer reports, if it reports one (for a port-out, a rejection is
// port_out_rejected: final at Telegent).
std::optional<order_state> reported_state(const order&, const api_result&);

}  // namespace portd::porting
