// The order's vocabulary: kinds, states, calls, times. Pure: no I/O anywhere in core/.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace portd::porting {

using clock = std::chrono::system_clock;
using time_point = std::chrono::time_point<clock, std::chrono::milliseconds>;
using std::chrono::milliseconds;

// Current wall time at millisecond precision (the one place core reads a clock: callers pass
// `now` into everything else).
time_point now_ms();

enum class order_kind : std::uint8_t { port_in, port_out };

enum class order_state : std::uint8_t {
  received,
  checking_eligibility,
  ineligible,
  submitting,
  submit_unknown,
  issuing_pin,
  submitted,
  carrier_approval,
  scheduled,
  rejected,
  cancelling,
  cancelled,
  completed,
  failed,
  // Added later; appended so that every earlier name keeps its place.
  port_out_rejected,  // Telegent rejected a port-out: final there (the gaining carrier starts over)
  closed,             // an operator ended the order locally (order.close); Telegent was told nothing
};
inline constexpr int order_state_count = 16;

// The Telegent calls an order can have in flight (at most one at a time: rule 2).
enum class call_kind : std::uint8_t {
  eligibility,
  submit_port_in,
  submit_port_out,
  update,
  cancel,
  status,
};

// What portd still has to do for the order besides its state's next step (rules 1 and 2).
enum class pending_intent : std::uint8_t {
  none,
  update,  // corrected details still to be sent to Telegent
  cancel,  // a cancel arrived while a call was out, or waits for an operator in submit_unknown
  settle,  // cancelling: Telegent refused our cancel, so one status check settles the order
};

// Whether an earlier port-in submission may have created an order portd never heard of.
enum class submit_certainty : std::uint8_t {
  known,      // nothing was submitted, or every submission's answer was heard
  ambiguous,  // a submission's answer was lost: only Telegent's duplicate guard makes a resend safe
};

// Why the order waits for an operator. Stored by name: nothing depends on a message's wording.
enum class attention_kind : std::uint8_t {
  none,
  operator_state,  // the state itself waits for an operator (submit_unknown, rejected, failed)
  unknown_status,  // Telegent reported a status portd does not know; a good poll ends it
  poll_refused,    // Telegent refused a status poll; a good poll ends it
  stale,           // no news for longer than the state's limit; a change of state ends it
  cancel_refused,  // Telegent refused our cancel and the order goes on there
  cancel_failing,  // the cancel keeps failing and is still being retried
};

// Where a call queues for Telegent's budget: a resend under the duplicate guard first, then
// commands (an operator's poll included), then routine polls.
enum class call_priority : std::uint8_t { guarded, command, poll };

std::string_view to_string(order_kind);
std::string_view to_string(order_state);
std::string_view to_string(call_kind);
std::optional<order_kind> parse_order_kind(std::string_view);
std::optional<order_state> parse_order_state(std::string_view);
std::string_view to_string(pending_intent);
std::string_view to_string(submit_certainty);
std::string_view to_string(attention_kind);
std::string_view to_string(call_priority);
std::optional<call_kind> parse_call_kind(std::string_view);
std::optional<pending_intent> parse_pending_intent(std::string_view);
std::optional<submit_certainty> parse_submit_certainty(std::string_view);
std::optional<attention_kind> parse_attention_kind(std::string_view);
std::ostream& operator<<(std::ostream&, order_kind);
std::ostream& operator<<(std::ostream&, order_state);
std::ostream& operator<<(std::ostream&, call_kind);
std::ostream& operator<<(std::ostream&, pending_intent);
std::ostream& operator<<(std::ostream&, submit_certainty);
std::ostream& operator<<(std::ostream&, attention_kind);
std::ostream& operator<<(std::ostream&, call_priority);

// ineligible, cancelled, completed, port_out_rejected, closed: nothing more will happen.
constexpr bool is_terminal(order_state s) {
  return s == order_state::ineligible || s == order_state::cancelled || s == order_state::completed ||
         s == order_state::port_out_rejected || s == order_state::closed;
}
// States that need an operator (the `!` of DESIGN.md §4).
constexpr bool needs_operator(order_state s) {
  return s == order_state::submit_unknown || s == order_state::rejected || s == order_state::failed;
}
// Telegent knows the order and may change it on its own: these states are polled.
constexpr bool is_polled(order_state s) {
  return s == order_state::submitted || s == order_state::carrier_approval ||
         s == order_state::scheduled || s == order_state::rejected;
}
// Non-idempotent calls: their intent is committed before the request leaves (rule 1).
constexpr bool is_command_call(call_kind k) { return k != call_kind::status; }

// RFC 3339 UTC with milliseconds: "2026-11-26T17:00:00.000Z".
std::string format_time(time_point);
std::optional<time_point> parse_time(std::string_view rfc3339);

}  // namespace portd::porting
