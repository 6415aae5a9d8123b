// The state machine: decide(order, input, now, policy) -> decision. Pure and total: every
// input in every state yields a decision (possibly "refused" for a command, or no change).
#pragma once
#include <portd/core/event.hpp>
#include <portd/core/policy.hpp>

#include <optional>
#include <string>
#include <vector>

namespace portd::core {

enum class refusal_kind : std::uint8_t { invalid_state, invalid_params };

struct refusal {
  refusal_kind kind = refusal_kind::invalid_state;
  std::string message;  // human sentence
  std::string field;    // invalid_params: the parameter at fault
};

struct decision {
  order next;                          // persist this (with events) in one transaction
  std::optional<call_kind> call;       // then start this call (next.in_flight == call)
  std::optional<time_point> wake_at;   // and act again at this time (== next.next_check_at)
  std::vector<event_record> events;    // append to the history, in order
  std::optional<refusal> refused;      // a command that is not allowed: nothing changed
  // `next` differs from the order given, even where no event, call or wake says so (a lost
  // call cleared at a restart, an acknowledgement absorbed): persist it all the same.
  bool modified = false;

  bool changed() const { return !refused && (modified || !events.empty() || call || wake_at); }
};

// `policy` gives cadences and retry limits; `now` stamps every change.
decision decide(const order& current, const input& in, time_point now, const policy& pol);

}  // namespace portd::core
