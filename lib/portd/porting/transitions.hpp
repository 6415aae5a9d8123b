// The order state machine as data: one table per order kind, state × trigger → named guard →
// next state and the call to start. The state diagram of README/DESIGN is generated from it
// (tools/transitions), and tests/unit/porting/transitions_test.cpp holds decide() to it both ways:
// every row is a step decide() takes, and every step decide() takes is a row.
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

// The condition under which a row applies, by name (decide.cpp tests it). Where one state and
// trigger have several rows, their guards tell them apart; `otherwise` is the row that applies
// when none of the others does.
enum class guard : std::uint8_t {
  always,
  otherwise,
  idle,                              // no call is out (else the command waits for it)
  checks_eligibility,                // a port-in that checks eligibility first
  skips_eligibility,                 // a port-in submitted without the check
  eligible,
  not_eligible,
  cancel_pending,                    // a cancel waits for the call that was out
  update_pending,                    // a correction waits to be sent
  call_out,                          // a call is out: the command's call follows it
  settling,                          // Telegent refused our cancel: one status check settles it
  settles,                           // an end state, or the check after a refused cancel
  not_at_telegent,                   // no Telegent order, and none may exist
  not_at_telegent_skip_eligibility,  // the same, for a port-in that skips the check
  maybe_created,                     // an earlier submission may have created an order
  duplicate_after_ambiguous,         // refused as a duplicate after an ambiguous submission
  unknown_at_telegent,               // Telegent does not know the order (404, GENS-0041)
  attempts_exhausted,                // the command's retries are used up
};
std::string_view to_string(guard);
std::string_view describe(guard);  // the condition as a phrase, for the generated diagram
std::ostream& operator<<(std::ostream&, guard);

// One row: in `from`, on `on` (answering `answers`), when `when` holds, the order moves to
// `to` (nullopt: the state Telegent reports, possibly the same) and starts `call`. A trigger
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

// The table of an order kind, grouped by state in lifecycle order.
std::span<const transition> transitions(order_kind);

}  // namespace portd::porting
