// The state machine: decide(order, input, now, policy) -> decision. Pure and total: every
// input in every state yields a decision (possibly "refused" for a command, or no change).
#pragma once
#include <portd/porting/event.hpp>
#include <portd/porting/policy.hpp>

#include <optional>
#include <string>
#include <vector>

namespace portd::porting {

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
  std::optional<event_record> created; // `start` only: order.created, to go before `events`
  std::vector<event_record> events;    // append to the history, in order
  std::optional<refusal> refused;      // a command that is not allowed: nothing changed
  // Where `call` (or the call the wake-up leads to) queues for Telegent's budget.
  call_priority priority = call_priority::poll;
  // The change must be on disk before anything follows it: events are told to others after
  // the commit, and a non-idempotent call leaves only after its intent is durable (rule 1).
  bool durable = false;
  // Only a routine poll starts: apart from the call out, updated_at and the wake-up, `next` is
  // the order given, with no event. A restart would resume it the same way, so the engine may
  // start it without writing (a status request is read-only).
  bool poll_only = false;
  // `next` differs from the order given, even where no event, call or wake says so (a lost
  // call cleared at a restart, an acknowledgement absorbed): persist it all the same.
  bool modified = false;

  bool changed() const { return !refused && (modified || !events.empty() || call || wake_at); }
};

// `policy` gives cadences and retry limits; `now` stamps every change.
decision decide(const order& current, const input& in, time_point now, const policy& pol);

// A port-in whose next step is a submission resent under Telegent's duplicate guard (rule 3):
// it goes before everything else, as the guard does not wait.
bool guarded_resend(const order& o);

}  // namespace portd::porting
